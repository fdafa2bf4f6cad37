// The release of payments-migrate in the prod wave, kept in a file of its own so that
// CODEOWNERS can give it to the wave's approvers. `sluice promote` edits it.
import { platform } from "../../platform.js";

export default platform.release("payments-migrate", { prod: "1.6.3" });
