// The sign-in form: posts the key as JSON, then goes where the server says (the page asked
// for before sign-in, or the user's own screen).

const form = document.getElementById("login-form");
const problem = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  problem.textContent = "";
  const next = new URLSearchParams(window.location.search).get("next") || undefined;
  const body = {
    key_id: document.getElementById("key-id").value,
    secret: document.getElementById("secret").value,
    next,
  };
  try {
    const response = await fetch("/ui/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      problem.textContent = response.status === 429 ? "Too many attempts: wait a moment." : "Wrong key id or secret.";
      return;
    }
    window.location.assign(answer.next);
  } catch (error) {
    problem.textContent = `The server did not answer: ${error}`;
  }
});
