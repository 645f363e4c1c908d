// Alarms in sight on every panel page: the counts by severity in the navigation, the title
// badge "(n) …" while alarms are not acknowledged, the hall's banner of critical and major
// ones, and a beep for each new one not yet acknowledged.
//
// The hall's event stream brings the alarm summary every second (hall.html hands it to
// hvacPanel.update); other pages ask /panel/alarms/summary every 5 s. The sound is off until
// the operator turns it on (the header's button), and the choice is remembered in this
// browser (localStorage "hvac.sound"): browsers hold audio back until a page is clicked, so a
// sound on by default could not be promised anyway. A beep is a tiny WebAudio tone, no asset.
// An alarm is announced once per browser: the newest id announced is kept ("hvac.announced"),
// so moving between pages does not announce it again.
(() => {
  const SOUND = "hvac.sound", ANNOUNCED = "hvac.announced";
  const bare = document.title.replace(/^\(\d+\) /, "");
  const button = document.getElementById("sound");
  let audio = null;
  const panel = window.hvacPanel = { beeps: 0, announced: 0, update, beep, soundOn };

  function soundOn() { return localStorage.getItem(SOUND) === "on"; }

  function wake() {  // an AudioContext may start only on a click: make it on one
    try { audio = audio || new AudioContext(); if (audio.state === "suspended") audio.resume(); }
    catch (e) { audio = null; }
  }

  function beep() {
    panel.beeps += 1;  // counted even where the browser keeps the tone back
    wake();
    if (!audio) return;
    const tone = audio.createOscillator(), gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
    tone.connect(gain); gain.connect(audio.destination);
    tone.start(); tone.stop(audio.currentTime + 0.35);
  }

  function showSound() {
    if (!button) return;
    const on = soundOn();
    button.textContent = on ? "sound on" : "sound off";
    button.setAttribute("aria-pressed", String(on));
  }

  function banner(s) {
    const el = document.getElementById("alarm-banner");
    if (!el) return;
    el.replaceChildren();
    for (const a of s.banner) {
      const line = document.createElement("div");
      line.className = "banner-alarm " + a.severity + (a.acked ? " acked" : "");
      line.dataset.alarm = a.id;
      const sev = document.createElement("b");
      sev.textContent = a.severity.toUpperCase();
      line.append(sev, " " + a.message + (a.acked ? " (acknowledged)" : ""));
      el.append(line);
    }
    el.hidden = s.banner.length === 0;
  }

  function update(s) {
    if (!s) return;
    for (const sev of ["critical", "major", "minor"]) {
      const el = document.querySelector(`[data-alarm-count="${sev}"]`);
      if (el) { el.textContent = s.counts[sev] || 0; el.hidden = !s.counts[sev]; }
    }
    document.title = (s.unacked ? `(${s.unacked}) ` : "") + bare;
    banner(s);
    const known = Number(localStorage.getItem(ANNOUNCED) || 0);
    if (s.newest_unacked > known) {
      localStorage.setItem(ANNOUNCED, String(s.newest_unacked));
      panel.announced = s.newest_unacked;
      if (soundOn()) beep();
    }
  }

  if (button) {
    button.addEventListener("click", () => {
      localStorage.setItem(SOUND, soundOn() ? "off" : "on");
      if (soundOn()) wake();
      showSound();
    });
  }
  document.addEventListener("click", () => { if (soundOn()) wake(); }, { once: true });
  showSound();

  async function poll() {
    try {
      const r = await fetch("/panel/alarms/summary", { headers: { Accept: "application/json" } });
      if (r.ok) update(await r.json());
    } catch (e) { /* the next poll tries again */ }
  }
  if (!document.getElementById("live")) {  // the hall's stream brings it there
    poll();
    setInterval(poll, 5000);
  }
})();
