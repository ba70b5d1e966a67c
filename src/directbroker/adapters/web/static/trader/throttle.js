// A refresh that runs at most once per `gap` milliseconds: calls in between are folded into
// one run at the end of the gap, so a burst of fills costs one request, not one each.

export function throttled(job, gap) {
  let last = 0;
  let timer = 0;
  let running = false;
  const run = async () => {
    timer = 0;
    if (running) {
      timer = setTimeout(run, gap);
      return;
    }
    running = true;
    last = Date.now();
    try {
      await job();
    } finally {
      running = false;
    }
  };
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + gap - Date.now());
    timer = setTimeout(run, wait);
  };
}
