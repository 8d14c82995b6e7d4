// Starts GOV.UK Frontend's components. Loaded as a module, so browsers too old for
// GOV.UK Frontend ignore it and the pages still work without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";
import "./timeout-warning.mjs";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
import "./progress.mjs";
