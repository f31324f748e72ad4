import { mount } from "svelte";
import App from "./App.svelte";
import "./styles/tokens.css";
import "./styles/base.css";
import { applyPrefs } from "./lib/prefs.svelte";
import Participant from "./views/Participant.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// Participants arrive at `/join` (by link, code or QR): their page has none of the facilitator's screens.
const joining = location.pathname === "/join" || location.pathname === "/join/";
if (joining) applyPrefs(document.documentElement);

export default joining ? mount(Participant, { target }) : mount(App, { target });
