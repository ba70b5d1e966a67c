import { startScreen } from "../common/shell.js";
await startScreen("ops");
