// What the signed-in staff member may do, from the roles the session names. The server
// decides (a refused change still shows its error); this only keeps the console from
// offering what would be refused. An administrator holds every staff role.

export function permissions(session) {
  const roles = new Set(session.roles || [session.role]);
  const holds = (...wanted) => roles.has("administrator") || wanted.some((role) => roles.has(role));
  return {
    roles: [...roles],
    reviewAccounts: holds("operations", "compliance"),
    funding: holds("operations"),
    seeLimits: holds("risk", "operations"),
    editLimits: holds("risk"),
    killSwitch: holds("risk", "operations"),
    editLists: holds("compliance"),
    recordLocates: holds("compliance", "operations"),
  };
}
