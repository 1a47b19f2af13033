// The browser half of scripts/e2e.sh (which starts JupyterLab and Chromium, and configures this
// script through E2E_* environment variables): connects playwright-core to the headless Chromium,
// and for each notebook opens it in JupyterLab, runs it with Run > Run All Cells as a student
// would, waits for the kernel to be idle, checks the outputs and saves a screenshot.
// Exit status 0 only when every notebook passes. Every wait is bounded.
'use strict';

const fs = require('fs');
const path = require('path');

const env = process.env;

const LAB = env.E2E_LAB_URL;
const TOKEN = env.E2E_TOKEN;
const OUT = env.E2E_OUT;
const REPO = env.E2E_REPO;
const JOBS = JSON.parse(env.E2E_JOBS || '[]');
const NOTEBOOK_TIMEOUT_MS = Number(env.E2E_NOTEBOOK_TIMEOUT) * 1000;
const KERNEL_NAME = 'Rust (apprentissage)';
// The only panics allowed: the graded stubs' todo!() of the student notebooks.
const ALLOWED_PANIC = "à vous d'écrire cette partie";
// A trial cell with a chart, added to the demo notebook (which has none) and never saved.
const TRIAL_CHART = [
  "// Cellule d'essai ajoutée par le test de bout en bout (jamais enregistrée).",
  'let x = Tensor::linspace(-2.0, 2.0, 41);',
  'let y = (&x * 0.8 + 0.3).relu();',
  'Chart::new().title("ReLU(0,8·x + 0,3)").xlabel("x").ylabel("y").line(&x, &y, "sortie du neurone")',
].join('\n');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (ms) => (ms / 1000).toFixed(1);
const log = (msg) => console.log(`e2e: ${msg}`);

// Polls fn() until it returns a truthy value; throws `what` after timeoutMs.
async function until(what, timeoutMs, fn, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${secs(timeoutMs)} s: ${what}`);
    await sleep(everyMs);
  }
}

// In the page: the notebook panel of `nbPath` (window.jupyterapp: LabApp.expose_app_in_browser).
const PANEL_JS = `(nbPath) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === nbPath && w.content && w.content.widgets) return w;
  }
  return null;
}`;

// In the page: the state the test polls while the notebook runs.
async function pageState(page, nbPath) {
  return page.evaluate(
    ([panelJs, nbPath]) => {
      const panel = eval(panelJs)(nbPath);
      if (!panel) return null;
      const session = panel.sessionContext.session;
      const kernel = session && session.kernel;
      const cells = panel.content.widgets;
      let running = 0;
      let code = 0;
      let executed = 0;
      let chart = -1;
      let gif = -1;
      cells.forEach((cell, i) => {
        if (cell.model.type !== 'code') return;
        code += 1;
        if (cell.model.executionCount != null) executed += 1;
        const prompt = cell.node.querySelector('.jp-InputArea-prompt');
        if (prompt && prompt.textContent.includes('*')) running += 1;
        for (const el of cell.node.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg')) {
          const box = el.getBoundingClientRect();
          const shown =
            el.tagName.toLowerCase() === 'img'
              ? el.complete && el.naturalWidth > 0 && box.width > 40 && box.height > 40
              : box.width > 40 && box.height > 40;
          if (!shown) continue;
          if (chart < 0) chart = i;
          if (gif < 0 && el.tagName.toLowerCase() === 'img' && (el.getAttribute('src') || '').startsWith('data:image/gif')) gif = i;
        }
      });
      return {
        kernel: kernel ? kernel.status : null,
        kernelName: panel.sessionContext.kernelDisplayName,
        connection: kernel ? kernel.connectionStatus : null,
        running,
        code,
        executed,
        chart,
        gif,
        cells: cells.length,
      };
    },
    [PANEL_JS, nbPath],
  );
}

// In the page: every cell's outputs, from the notebook model (output types are not in the DOM).
async function outputs(page, nbPath) {
  return page.evaluate(
    ([panelJs, nbPath]) => {
      const panel = eval(panelJs)(nbPath);
      const text = (o) => {
        if (o.output_type === 'stream') return Array.isArray(o.text) ? o.text.join('') : o.text;
        if (o.output_type === 'error') return `${o.ename}: ${o.evalue}\n${(o.traceback || []).join('\n')}`;
        const data = o.data || {};
        const parts = [];
        for (const [mime, v] of Object.entries(data)) {
          const s = Array.isArray(v) ? v.join('') : String(v);
          if (mime.startsWith('text/')) parts.push(mime === 'text/html' ? s.replace(/data:image\/[a-z+]+;base64,[A-Za-z0-9+/=]+/g, 'data:…') : s);
          else parts.push(`[${mime}, ${s.length} characters]`);
        }
        return parts.join('\n');
      };
      return panel.content.widgets.map((cell, i) => {
        const m = cell.model;
        const src = m.sharedModel.getSource();
        if (m.type !== 'code') return { index: i, type: m.type, source: src };
        const outs = [];
        for (let k = 0; k < m.outputs.length; k++) {
          const o = m.outputs.get(k).toJSON();
          outs.push({ type: o.output_type, name: o.name, mimes: Object.keys(o.data || {}), text: text(o).replace(/\x1b\[[0-9;]*m/g, '') });
        }
        return { index: i, type: 'code', source: src, count: m.executionCount, outputs: outs };
      });
    },
    [PANEL_JS, nbPath],
  );
}

// Problems in the outputs: error outputs (compile errors), and `panicked at` messages other than
// the graded stubs' todo!(). evcxr writes a panic to stderr asynchronously: its message may land
// in a later output, or the next cell's, so the panics are read from all stderr text in order.
function analyse(cells) {
  const found = [];
  const seen = new Set();
  const add = (cell, what, text) => {
    const key = `${cell}\u0000${what}\u0000${text}`;
    if (!seen.has(key)) found.push({ cell, what, text }), seen.add(key);
  };
  let stderr = '';
  const owners = []; // [offset in stderr, cell index]
  for (const cell of cells) {
    if (cell.type !== 'code') continue;
    // evcxr gives one error output per compiler message ("Error: <message>", then the snippet),
    // warnings included once the cell fails: one line per cell, the first error first.
    const errors = cell.outputs.filter((o) => o.type === 'error').map((o) => o.text.split('\n').find((l) => l.trim() !== '') || o.text);
    if (errors.length) {
      errors.sort((a, b) => Number(/^Error: unused /.test(a)) - Number(/^Error: unused /.test(b)));
      add(cell.index, 'error', errors[0] + (errors.length > 1 ? ` (and ${errors.length - 1} more compiler message(s))` : ''));
    }
    for (const o of cell.outputs) {
      if (o.type === 'error') {
        continue;
      } else if (o.type === 'stream' && o.name === 'stderr') {
        owners.push([stderr.length, cell.index]);
        stderr += o.text;
      } else if (o.text.includes('panicked at')) {
        add(cell.index, 'panic', o.text);
      }
    }
  }
  const cellAt = (offset) => {
    let owner = -1;
    for (const [at, cell] of owners) if (at <= offset) owner = cell;
    return owner;
  };
  let allowed = 0;
  const header = /thread '[^']*'(?: \(\d+\))? panicked at /g;
  const starts = [...stderr.matchAll(header)].map((m) => m.index);
  starts.forEach((at, k) => {
    const chunk = stderr.slice(at, k + 1 < starts.length ? starts[k + 1] : stderr.length).slice(0, 2000);
    if (chunk.includes(ALLOWED_PANIC)) allowed += 1;
    else add(cellAt(at), 'panic', chunk.split('\n').slice(0, 2).join(' ').trim());
  });
  // A "panicked at" that is not a panic header (another format) is a problem too.
  const loose = (stderr.match(/panicked at/g) || []).length - starts.length;
  if (loose > 0) add(-1, 'panic', `${loose} "panicked at" message(s) in an unexpected format`);
  return { problems: found, allowed };
}

function clip(text, max = 1500) {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}

function printOutputs(name, cells) {
  console.log(`---- ${name}: the notebook's outputs ----`);
  for (const cell of cells) {
    if (cell.type !== 'code') continue;
    const first = cell.source.split('\n').find((l) => l.trim() !== '') || '';
    console.log(`[cell ${cell.index}] In [${cell.count == null ? ' ' : cell.count}]: ${clip(first, 100)}`);
    for (const o of cell.outputs) {
      const label = o.type === 'stream' ? o.name : `${o.type} ${o.mimes.join(' ')}`.trim();
      for (const line of clip(o.text).split('\n')) console.log(`    ${label} | ${line}`);
    }
  }
  console.log(`---- end of ${name} ----`);
}

// Frames of a GIF (graphic control extensions), from the data: URL of an <img>.
async function gifFrames(page, nbPath, cellIndex) {
  const src = await page.evaluate(
    ([panelJs, nbPath, i]) => {
      const panel = eval(panelJs)(nbPath);
      const img = [...panel.content.widgets[i].node.querySelectorAll('.jp-OutputArea-output img')].find((e) =>
        (e.getAttribute('src') || '').startsWith('data:image/gif'),
      );
      return img ? { src: img.getAttribute('src'), w: img.naturalWidth, h: img.naturalHeight } : null;
    },
    [PANEL_JS, nbPath, cellIndex],
  );
  if (!src) return null;
  const bytes = Buffer.from(src.src.slice(src.src.indexOf(',') + 1), 'base64');
  let frames = 0;
  for (let k = 0; k + 2 < bytes.length; k++) if (bytes[k] === 0x21 && bytes[k + 1] === 0xf9 && bytes[k + 2] === 0x04) frames += 1;
  return { frames, width: src.w, height: src.h, bytes: bytes.length };
}

// Scrolls until the element is wholly inside the notebook's viewport: cells off screen are laid out
// lazily (content-visibility), so one scrollIntoView may land short. Bounded: 6 tries.
async function scrollToCell(page, nbPath, index, selector) {
  for (let attempt = 0; attempt < 6; attempt++) {
    const inside = await page.evaluate(
      ([panelJs, nbPath, i, selector]) => {
        const panel = eval(panelJs)(nbPath);
        const cell = panel.content.widgets[i];
        const el = (selector && cell.node.querySelector(selector)) || cell.node;
        const view = panel.content.node.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        if (box.top >= view.top && box.bottom <= view.bottom) return true;
        el.scrollIntoView({ block: box.height < view.height ? 'center' : 'start' });
        return false;
      },
      [PANEL_JS, nbPath, index, selector],
    );
    await sleep(400);
    if (inside) return;
  }
}

async function runNotebook(context, job, last) {
  const flags = job.flags.split(',');
  const nbPath = job.path;
  const shot = path.join(OUT, `${job.name}.png`);
  const result = { name: job.name, path: nbPath, ok: false, failures: [] };
  const page = await context.newPage();
  const t = { open: Date.now() };
  let state = null;
  let cells = null;
  try {
    // ?reset: a fresh layout; the notebook opens, and its kernel starts as it does for a student.
    await page.goto(`${LAB}/lab/tree/${nbPath}?reset&token=${TOKEN}`, { timeout: 120000 });
    await until(`JupyterLab shows ${nbPath}`, 180000, () => pageState(page, nbPath).catch(() => null));
    t.shown = Date.now();

    // The kernel: JupyterLab picks it from the notebook's metadata; should it ask, choose Rust.
    await until(`the kernel "${KERNEL_NAME}" starts`, 300000, async () => {
      const dialog = page.locator('.jp-Dialog');
      if (await dialog.count()) {
        const select = dialog.locator('select');
        if (await select.count()) await select.selectOption({ label: KERNEL_NAME });
        await dialog.getByRole('button', { name: /^Select/ }).click();
      }
      state = await pageState(page, nbPath);
      if (state && state.kernel && !t.kernel) t.kernel = Date.now();
      return state && state.kernel === 'idle' && state.connection === 'connected';
    }, 100);
    t.ready = Date.now();
    if (state.kernelName !== KERNEL_NAME) throw new Error(`the kernel is "${state.kernelName}", not "${KERNEL_NAME}"`);
    await until('the toolbar shows the kernel name', 10000, async () =>
      (await page.locator('.jp-NotebookPanel-toolbar .jp-KernelName, .jp-NotebookPanel-toolbar [data-jp-item-name="kernelName"]').first().textContent().catch(() => '')).includes(KERNEL_NAME),
    );
    log(`${job.name}: ${nbPath} open, kernel "${KERNEL_NAME}" idle ${secs(t.ready - t.kernel)} s after it started (page opened ${secs(t.ready - t.open)} s before)`);

    // Outputs saved in the file (instructor notebooks) must not count: clear them first.
    await page.evaluate(() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs'));
    if (flags.includes('add-chart')) {
      await page.evaluate(
        async ([panelJs, nbPath, code]) => {
          const panel = eval(panelJs)(nbPath);
          panel.content.activeCellIndex = panel.content.widgets.length - 1;
          await window.jupyterapp.commands.execute('notebook:insert-cell-below');
          await window.jupyterapp.commands.execute('notebook:change-cell-to-code');
          panel.content.activeCell.model.sharedModel.setSource(code);
        },
        [PANEL_JS, nbPath, TRIAL_CHART],
      );
      log(`${job.name}: added a trial cell drawing a Chart at the end (the demo has no chart; never saved)`);
    }

    // Run > Run All Cells, through the menu bar.
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click({ timeout: 30000 });
    await page.getByRole('menuitem', { name: /^Run All Cells/ }).click({ timeout: 30000 });
    t.runAll = Date.now();

    let idleSince = 0;
    let sawRunning = false;
    let lastReport = Date.now();
    await until(`the notebook runs to the end (kernel idle, no cell [*])`, NOTEBOOK_TIMEOUT_MS, async () => {
      state = await pageState(page, nbPath);
      if (!state) throw new Error('the notebook panel disappeared');
      if (state.running > 0 || state.kernel === 'busy') sawRunning = true;
      if (state.chart >= 0 && !t.chart) {
        t.chart = Date.now();
        log(`${job.name}: first chart visible (cell ${state.chart}) ${secs(t.chart - t.kernel)} s after the kernel started`);
      }
      if (state.gif >= 0 && !t.gif) t.gif = Date.now();
      if (Date.now() - lastReport > 60000) {
        lastReport = Date.now();
        log(`${job.name}: still running: ${state.executed}/${state.code} code cells done, ${state.running} queued or running (kernel ${state.kernel})`);
      }
      const quiet = state.kernel === 'idle' && state.running === 0 && (sawRunning || state.executed === state.code);
      if (!quiet) {
        idleSince = 0;
        return false;
      }
      if (!idleSince) idleSince = Date.now();
      return Date.now() - idleSince > 1500; // idle twice in a row, 1.5 s apart
    }, 500);
    t.idle = Date.now();
    await sleep(1000); // let the last images decode
    state = await pageState(page, nbPath);
    if (state.chart >= 0 && !t.chart) t.chart = Date.now();
    cells = await outputs(page, nbPath);

    // The assertions.
    const notRun = cells.filter((c) => c.type === 'code' && c.count == null).map((c) => c.index);
    if (notRun.length) result.failures.push(`code cells not executed: ${notRun.join(', ')}`);
    const analysed = analyse(cells);
    for (const p of analysed.problems) result.failures.push(`cell ${p.cell}: ${p.what}: ${clip(p.text.trim(), 300)}`);
    if (state.chart < 0 && flags.includes('chart')) result.failures.push('no chart displayed (no <img> or <svg> in any output area)');
    result.chart = state.chart >= 0;
    if (flags.includes('gif')) {
      if (state.gif < 0) result.failures.push('no animated GIF displayed (no <img src="data:image/gif…"> in any output area)');
      else {
        const gif = await gifFrames(page, nbPath, state.gif);
        if (!gif || gif.frames < 2) result.failures.push(`the GIF of cell ${state.gif} is not animated (${gif ? gif.frames : 0} frame)`);
        else log(`${job.name}: animated GIF displayed in cell ${state.gif}: ${gif.frames} frames, ${gif.width}×${gif.height}, ${(gif.bytes / 1024).toFixed(0)} KiB`);
      }
    }
    result.allowedPanics = analysed.allowed;
    result.cells = cells.length;
    result.codeCells = state.code;
  } catch (e) {
    result.failures.push(String(e && e.message ? e.message : e).split('\n')[0]);
  }

  // The screenshot, on every run: the first chart (the GIF for ch7), else the top of the notebook;
  // on a failure, a second one, <name>-failure.png, shows the first problem.
  try {
    state = state || (await pageState(page, nbPath).catch(() => null));
    if (state && state.gif >= 0 && flags.includes('gif')) await scrollToCell(page, nbPath, state.gif, '.jp-OutputArea-output img[src^="data:image/gif"]');
    else if (state && state.chart >= 0) await scrollToCell(page, nbPath, state.chart, '.jp-OutputArea-output img, .jp-OutputArea-output svg');
    await page.screenshot({ path: shot, timeout: 30000 });
    result.screenshot = path.relative(REPO, shot);
    const firstProblem = cells ? analyse(cells).problems.find((p) => p.cell >= 0) : null;
    if (result.failures.length && firstProblem) {
      const failureShot = path.join(OUT, `${job.name}-failure.png`);
      await scrollToCell(page, nbPath, firstProblem.cell, null);
      await page.screenshot({ path: failureShot, timeout: 30000 });
      result.screenshot += ` ${path.relative(REPO, failureShot)}`;
    }
  } catch (e) {
    result.failures.push(`screenshot failed: ${String(e.message || e).split('\n')[0]}`);
  }

  if (result.failures.length) {
    if (!cells) cells = await outputs(page, nbPath).catch(() => null);
    if (cells) printOutputs(nbPath, cells);
  }

  // Free the kernel's build directory for the next notebook: shut its session down. The last
  // kernel stays: scripts/e2e.sh checks that Ctrl-C in JupyterLab's terminal shuts it down.
  if (!last) try {
    const headers = { Authorization: `token ${TOKEN}` };
    const sessions = await (await fetch(`${LAB}/api/sessions`, { headers, signal: AbortSignal.timeout(10000) })).json();
    for (const s of sessions) {
      if (s.path === nbPath) await fetch(`${LAB}/api/sessions/${s.id}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(60000) });
    }
  } catch (e) {
    log(`${job.name}: could not shut the kernel down: ${e.message || e}`);
  }
  await page.close({ runBeforeUnload: false }).catch(() => {});

  result.times = {
    kernelStartToReady: t.kernel && t.ready ? secs(t.ready - t.kernel) : null,
    kernelStartToFirstChart: t.kernel && t.chart ? secs(t.chart - t.kernel) : null,
    runAllToIdle: t.runAll && t.idle ? secs(t.idle - t.runAll) : null,
    total: secs(Date.now() - t.open),
  };
  result.ok = result.failures.length === 0;
  return result;
}

async function main() {
  const { chromium } = require(path.join(env.E2E_MODULES, 'playwright-core'));
  const browser = await chromium.connectOverCDP(env.E2E_CDP_URL, { timeout: 60000 });
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(60000);
  const results = [];
  for (const [k, job] of JOBS.entries()) {
    log(`${job.name}: opening ${job.path}`);
    results.push(await runNotebook(context, job, k === JOBS.length - 1));
  }
  await context.close().catch(() => {});
  await browser.close().catch(() => {});

  console.log('e2e: notebook                 result  kernel ready  first chart  run all → idle  total   screenshot');
  for (const r of results) {
    const tm = r.times;
    console.log(
      `e2e: ${r.path.padEnd(24)} ${(r.ok ? 'PASS' : 'FAIL').padEnd(7)} ${String(tm.kernelStartToReady ?? '–').padStart(10)} s ${String(tm.kernelStartToFirstChart ?? '–').padStart(9)} s ${String(tm.runAllToIdle ?? '–').padStart(12)} s ${String(tm.total).padStart(6)} s  ${r.screenshot || '–'}`,
    );
  }
  console.log('e2e: (times from kernel start; "first chart" is the student\'s first impression)');
  let ok = true;
  for (const r of results) {
    if (r.ok) {
      log(`${r.path}: PASS: ${r.codeCells} code cells ran, no error, ${r.allowedPanics} expected todo!() panic(s) of the graded stubs, ${r.chart ? 'a chart displayed' : 'no chart (not required)'}`);
      continue;
    }
    ok = false;
    for (const f of r.failures) console.error(`error: e2e: ${r.path}: ${f}`);
  }
  process.exit(ok ? 0 : 1);
}

module.exports = { analyse };
if (require.main === module) {
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
  main().catch((e) => {
    console.error(`error: e2e: ${e.stack || e}`);
    process.exit(1);
  });
}
