// Render coalescing: many market messages a frame, one DOM update per panel per animation
// frame. `later(key, fn)` runs the latest fn for key at the next frame, once.

const pending = new Map();
let scheduled = false;

function flush() {
  scheduled = false;
  const jobs = [...pending.values()];
  pending.clear();
  for (const job of jobs) {
    try {
      job();
    } catch (error) {
      // One panel's failure must not stop the others from drawing.
      setTimeout(() => { throw error; });
    }
  }
}

export function later(key, job) {
  pending.set(key, job);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}
