// frontend.mjs: drive the unchanged Open WebUI frontend against cwebui with a
// real browser (headless chromium through playwright-core).
//
// It starts a fresh stack (fcgi-conf/run-stack on a new, empty data
// directory) unless BASE_URL points at a running one, then walks through:
// onboarding, admin sign-up, reload, sign-out, sign-in, a second person's
// sign-up (pending overlay), the admin activating them on /admin/users, and
// direct loads of SPA paths; then, with a fake LLM provider
// (tests/fake/provider.py): an OpenAI connection added in Admin Settings >
// Connections, its models in the model picker, a folder created and renamed
// in the sidebar, a chat (made through the API) in the sidebar, found by the
// search and opened, a group, and workspace models; then chats with the
// fake model through cwebui-streamd: streaming, title and follow-ups, stop,
// reload mid-stream, two tabs, regenerate, continue, and the polling
// transport on a second stack.  Every step takes a
// screenshot; every failed request (status >= 400 or no response), console
// error and page error is recorded with the step it happened in.  See README.md.
//
// Exit status: 0 when every step passed, 1 otherwise, 2 on a setup error.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

const env = process.env;
const SHOTS = path.resolve(env.SHOTS_DIR || '/tmp/e2e-shots');
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const PORT = env.PORT || '18080';
const STEP_TIMEOUT = Number(env.STEP_TIMEOUT_MS || 20000);
const ONLY = env.ONLY ? new RegExp(env.ONLY) : null;
const FAKE_PORT = env.FAKE_PORT || String(Number(PORT) + 1);
// STUB_MISSING=1: when the backend answers 404 to one of these paths (not
// implemented yet), the browser gets the empty answer Open WebUI gives on a
// fresh install instead, so that the pages gated on them can load.  Every
// stubbed request is reported.
const STUB_MISSING = env.STUB_MISSING === '1';
const STUBS = [
	[/^\/api\/models$/, { data: [] }],
	[/^\/api\/v1\/configs\/banners$/, []],
	[/^\/api\/v1\/tools\/$/, []],
	[/^\/api\/v1\/folders\/$/, []],
	[/^\/api\/v1\/channels\/$/, []],
	[/^\/api\/v1\/chats\/$/, []],
	[/^\/api\/v1\/chats\/pinned$/, []],
	[/^\/api\/v1\/chats\/all\/tags$/, []],
	[/^\/api\/v1\/functions\/$/, []],
	[/^\/api\/v1\/prompts\/$/, []],
	[/^\/api\/v1\/knowledge\/$/, []]
];

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'adminpass-123' };
const SECOND = { name: 'Bob Second', email: 'bob@example.com', password: 'bobpass-456' };

// loadPlaywright: playwright-core from PLAYWRIGHT_CORE (a directory or the
// module path), from NODE_PATH entries, or from the normal resolution.
async function loadPlaywright() {
	const tries = [];
	if (env.PLAYWRIGHT_CORE) tries.push(env.PLAYWRIGHT_CORE);
	for (const p of (env.NODE_PATH || '').split(':').filter(Boolean))
		tries.push(path.join(p, 'playwright-core'));
	tries.push('playwright-core');
	for (const t of tries) {
		try {
			const req = createRequire(path.join(process.cwd(), 'x.js'));
			return req(t);
		} catch (e) {
			/* next */
		}
	}
	console.error('frontend.mjs: playwright-core not found; set PLAYWRIGHT_CORE=/path/to/node_modules/playwright-core');
	process.exit(2);
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

async function waitHealthy(base, ms) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		try {
			const r = await fetch(`${base}/health`);
			if (r.ok) return true;
		} catch (e) {
			/* not yet */
		}
		await sleep(200);
	}
	return false;
}

// startStack: run-stack on a fresh data directory, on port (PORT) with the
// extra environment more; returns {base, child, dir}.
async function startStack(port = PORT, more = {}) {
	const frontend = env.FRONTEND_DIR;
	if (!frontend || !fs.existsSync(path.join(frontend, 'index.html'))) {
		console.error('frontend.mjs: FRONTEND_DIR must name a built Open WebUI frontend (with index.html), or set BASE_URL');
		process.exit(2);
	}
	if (await waitHealthy(`http://127.0.0.1:${port}`, 1)) {
		console.error(`frontend.mjs: port ${port} already serves a stack; stop it or set PORT`);
		process.exit(2);
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwebui-e2e-'));
	const child = spawn(path.join(repoRoot, 'fcgi-conf', 'run-stack'), [], {
		env: {
			...env,
			...more,
			PORT: port,
			HOST: '127.0.0.1',
			DATA_DIR: path.join(dir, 'data'),
			RUNDIR: path.join(dir, 'run'),
			CWEBUI_BUILDDIR: env.CWEBUI_BUILDDIR || repoRoot
		},
		stdio: ['ignore', fs.openSync(path.join(dir, 'stack.log'), 'a'), fs.openSync(path.join(dir, 'stack.log'), 'a')],
		detached: true
	});
	const base = `http://127.0.0.1:${port}`;
	if (!(await waitHealthy(base, 30000))) {
		console.error(`frontend.mjs: the stack did not come up; see ${dir}/stack.log`);
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch (e) {
			/* gone */
		}
		process.exit(2);
	}
	return { base, child, dir };
}

let fake = null;
const results = [];
const stubbed = [];
const failures = [];
const calls = [];
const consoleErrors = [];
let currentStep = 'setup';

// stub: answer the STUBS paths the backend does not know (404) with their
// empty value.
async function stub(ctx) {
	await ctx.route('**/api/**', async (route) => {
		const u = new URL(route.request().url());
		const hit = route.request().method() === 'GET' && STUBS.find(([re]) => re.test(u.pathname));
		if (!hit) return route.continue();
		// route.fetch() may meet a keep-alive connection the server just
		// closed (ECONNRESET): try again once, then fail the request
		let resp = null;
		for (let i = 0; i < 2 && !resp; i++) {
			try {
				resp = await route.fetch();
			} catch (e) {
				/* again */
			}
		}
		if (!resp) return route.abort().catch(() => {});
		if (resp.status() !== 404) return route.fulfill({ response: resp });
		stubbed.push({ step: currentStep, url: u.pathname });
		return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(hit[1]) });
	});
}

// watch: record the failing requests, console errors and page errors of page.
function watch(page, who) {
	page.on('response', async (resp) => {
		const u = new URL(resp.url());
		if (/^\/(api|openai|ollama)\//.test(u.pathname))
			calls.push({ step: currentStep, who, method: resp.request().method(), path: u.pathname + u.search, status: resp.status() });
		if (resp.status() < 400) return;
		let body = '';
		try {
			body = (await resp.text()).slice(0, 300);
		} catch (e) {
			body = `<unreadable: ${e.message}>`;
		}
		failures.push({
			step: currentStep,
			who,
			method: resp.request().method(),
			url: resp.url(),
			status: resp.status(),
			body
		});
	});
	page.on('requestfailed', (req) => {
		failures.push({
			step: currentStep,
			who,
			method: req.method(),
			url: req.url(),
			status: 'failed',
			body: req.failure()?.errorText || ''
		});
	});
	page.on('console', (msg) => {
		if (msg.type() === 'error' || msg.type() === 'warning')
			consoleErrors.push({ step: currentStep, who, type: msg.type(), text: msg.text().slice(0, 300) });
	});
	page.on('pageerror', (err) => {
		consoleErrors.push({
			step: currentStep, who, type: 'pageerror', text: String(err).slice(0, 300),
			stack: String(err.stack || '').split('\n').slice(0, 6).join(' | ')
		});
	});
}

async function shot(page, name) {
	const file = path.join(SHOTS, `${name}.png`);
	try {
		await page.screenshot({ path: file });
	} catch (e) {
		return `<screenshot failed: ${e.message}>`;
	}
	return file;
}

// step: run fn, screenshot page as name, record pass/fail; never throws.
// page may be a function giving the page after fn ran.  A step whose name
// ONLY (a regular expression) does not match is skipped.
async function step(name, pageOrFn, fn) {
	if (ONLY && !ONLY.test(name)) return true;
	currentStep = name;
	const t0 = Date.now();
	let ok = true;
	let error = null;
	notes = [];
	try {
		await fn();
	} catch (e) {
		ok = false;
		error = String(e.message || e).split('\n').slice(0, 4).join(' | ');
	}
	const page = typeof pageOrFn === 'function' ? pageOrFn() : pageOrFn;
	await sleep(500);
	for (const t of await errorToasts(page)) notes.push(`error toast: ${t}`);
	const screenshot = await shot(page, name);
	results.push({ step: name, ok, ms: Date.now() - t0, error, notes, url: page ? page.url() : null, screenshot });
	console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${error ? ': ' + error : ''}`);
	for (const n of notes) console.log(`     note: ${n}`);
	return ok;
}

let notes = [];

// errorToasts: the texts of the error toasts (svelte-sonner) page shows now.
async function errorToasts(page) {
	try {
		return await page.locator('[data-sonner-toast][data-type="error"]').allInnerTexts();
	} catch (e) {
		return [];
	}
}

// startFake: the fake LLM provider (tests/fake/provider.py) on FAKE_PORT.
async function startFake() {
	try {
		await fetch(`http://127.0.0.1:${FAKE_PORT}/`);
		console.error(`frontend.mjs: port ${FAKE_PORT} is in use; set FAKE_PORT`);
		process.exit(2);
	} catch (e) {
		/* free */
	}
	const child = spawn(env.PYTHON || '/usr/bin/python3',
		[path.join(repoRoot, 'tests', 'fake', 'provider.py'), '--port', FAKE_PORT],
		{ stdio: 'ignore' });
	const url = `http://127.0.0.1:${FAKE_PORT}`;
	const end = Date.now() + 10000;
	while (Date.now() < end) {
		try {
			if ((await fetch(`${url}/_control`)).ok) return { child, url };
		} catch (e) {
			/* not yet */
		}
		await sleep(100);
	}
	child.kill('SIGTERM');
	console.error(`frontend.mjs: the fake provider did not start on port ${FAKE_PORT}`);
	process.exit(2);
}

// expectMainPage: the signed-in app shell is shown (sidebar with the user
// menu, no auth form, no pending overlay).  Whether the chat page finished
// loading (#chat-input) is recorded as a note: it needs routes (models, ...)
// that may not exist yet.
async function expectMainPage(page) {
	await page.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	await page.locator('[aria-label="Open User Profile Menu"]:visible').first()
		.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
	if (await page.getByText('Account Activation Pending').isVisible())
		throw new Error('pending overlay shown');
	await dismissChangelog(page);
	if (!page.url().match(/\/(admin|c\/)/)) {
		try {
			await page.locator('#chat-input:visible').first().waitFor({ timeout: 5000 });
		} catch (e) {
			notes.push('chat page did not finish loading (#chat-input not visible)');
		}
	}
}

// dismissChangelog: close the "What's New" modal an admin sees once per
// version (it saves the version in the user's settings).
async function dismissChangelog(page) {
	const btn = page.getByRole('button', { name: "Okay, Let's Go!" });
	try {
		await btn.waitFor({ state: 'visible', timeout: 3000 });
	} catch (e) {
		return;
	}
	await btn.click();
	await btn.waitFor({ state: 'hidden' });
}

async function token(page) {
	return page.evaluate(() => localStorage.getItem('token'));
}

async function fillAuthForm(page, who, withName) {
	if (withName) await page.locator('#name').fill(who.name);
	await page.locator('#email').fill(who.email);
	// the password field is a SensitiveInput bound through on:change
	const pw = page.locator('#password');
	await pw.fill(who.password);
	await pw.dispatchEvent('change');
	const confirm = page.locator('#confirm-password');
	if (await confirm.count()) {
		await confirm.fill(who.password);
		await confirm.dispatchEvent('change');
	}
}

async function directLoad(page, urlPath, base) {
	const resp = await page.goto(base + urlPath, { waitUntil: 'domcontentloaded' });
	if (!resp || resp.status() !== 200)
		throw new Error(`document ${urlPath}: status ${resp && resp.status()}`);
	const ct = resp.headers()['content-type'] || '';
	if (!ct.includes('text/html')) throw new Error(`document ${urlPath}: content-type ${ct}`);
	// the app must boot and leave the splash screen
	await page.locator('#splash-screen').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
}

// api: call the backend from page with its session token; returns
// {status, body}.
async function api(page, method, urlPath, body) {
	return page.evaluate(async ([method, urlPath, body]) => {
		const h = { Authorization: `Bearer ${localStorage.token}` };
		if (body !== undefined) h['Content-Type'] = 'application/json';
		const r = await fetch(urlPath, {
			method, headers: h, body: body === undefined ? undefined : JSON.stringify(body)
		});
		let b = null;
		try {
			b = await r.json();
		} catch (e) {
			/* not JSON */
		}
		return { status: r.status, body: b };
	}, [method, urlPath, body]);
}

// openSidebar: open the sidebar when it is closed (its state is kept in
// localStorage.sidebar).
async function openSidebar(page) {
	const open = page.locator('[aria-label="Open Sidebar"]:visible').first();
	if (await open.count()) await open.click();
	await page.locator('#sidebar-folder-button', { hasText: 'Chats' }).first()
		.waitFor({ state: 'visible' });
}

const FOLDER = 'E2E Folder';
const FOLDER_RENAMED = 'E2E Renamed';
const CHAT_TITLE = 'Zebra crossing e2e chat';
const GROUP = 'E2E Group';
const WS_MODEL = 'E2E Workspace Model';

// extendedSteps: connections, model picker, folders, search, groups and
// workspace models, as the admin (page a, signed in).
async function extendedSteps(a, base) {
	await step('15-admin-adds-openai-connection', a, async () => {
		await a.goto(base + '/admin/settings/connections', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		const row = a.locator('div.flex.justify-between', {
			has: a.getByText('Manage OpenAI API Connections', { exact: true })
		}).last();
		await row.getByRole('button').click();
		await a.locator('#url-input').fill(`${fake.url}/v1`);
		const key = a.locator('input[placeholder="API Key"]:visible').first();
		await key.fill('sk-e2e');
		await key.dispatchEvent('change');
		await a.locator('form button[type="submit"]', { hasText: 'Save' }).last().click();
		await a.getByText('OpenAI API settings updated').first().waitFor({ state: 'visible' });
		const cfg = await api(a, 'GET', '/openai/config');
		if (!(cfg.body?.OPENAI_API_BASE_URLS || []).includes(`${fake.url}/v1`))
			throw new Error(`/openai/config: ${cfg.status} ${JSON.stringify(cfg.body).slice(0, 200)}`);
	});

	await step('16-model-picker-lists-fake-models', a, async () => {
		await a.goto(base + '/', { waitUntil: 'domcontentloaded' });
		await expectMainPage(a);
		await a.locator('button[aria-label="Select a model"]:visible').first().click();
		for (const m of ['gpt-fake', 'gpt-fake-mini'])
			await a.getByText(m, { exact: true }).first().waitFor({ state: 'visible' });
		await a.keyboard.press('Escape');
	});

	await step('17-folder-create', a, async () => {
		await openSidebar(a);
		const hdr = a.locator('#sidebar-folder-button', { hasText: 'Folders' }).first();
		await hdr.hover();
		await hdr.locator('button.absolute').click();
		await a.locator('input[placeholder="Enter folder name"]').fill(FOLDER);
		await a.locator('form button[type="submit"]', { hasText: 'Save' }).last().click();
		await a.locator('button[id^="folder-"]', { hasText: FOLDER }).first()
			.waitFor({ state: 'visible' });
	});

	await step('18-folder-rename', a, async () => {
		await a.locator('button[id^="folder-"]', { hasText: FOLDER }).first().dblclick();
		const input = a.locator('input[id^="folder-"][id$="-input"]').first();
		await input.waitFor({ state: 'visible' });
		await input.fill(FOLDER_RENAMED);
		await input.press('Enter');
		await a.locator('button[id^="folder-"]', { hasText: FOLDER_RENAMED }).first()
			.waitFor({ state: 'visible' });
		await sleep(500);
		const r = await api(a, 'GET', '/api/v1/folders/');
		if (!(r.body || []).some((f) => f.name === FOLDER_RENAMED))
			throw new Error(`/api/v1/folders/: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
		// a reload shows the new name too
		await a.reload({ waitUntil: 'domcontentloaded' });
		await expectMainPage(a);
		await openSidebar(a);
		await a.locator('button[id^="folder-"]', { hasText: FOLDER_RENAMED }).first()
			.waitFor({ state: 'visible' });
	});

	await step('19-chat-in-sidebar', a, async () => {
		const r = await api(a, 'POST', '/api/v1/chats/new', {
			chat: {
				title: CHAT_TITLE, models: ['gpt-fake'],
				history: { messages: {}, currentId: null }, messages: []
			}
		});
		if (r.status !== 200 || !r.body?.id)
			throw new Error(`POST /api/v1/chats/new: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
		await a.reload({ waitUntil: 'domcontentloaded' });
		await expectMainPage(a);
		await openSidebar(a);
		// the sidebar loads the chat list after the channels
		await a.locator('#sidebar-chat-item', { hasText: CHAT_TITLE }).first()
			.waitFor({ state: 'visible' });
	});

	await step('20-search-finds-chat', a, async () => {
		await a.locator('button[aria-label="Search"]:visible').first().click();
		const q = a.locator('input[placeholder="Search"]:visible').last();
		await q.fill('zebra');
		await a.locator('[role="dialog"], .modal', { hasText: CHAT_TITLE }).first()
			.waitFor({ state: 'visible' });
		await sleep(500);
		await shot(a, '20b-search-modal');
		await q.fill('nosuchwordanywhere');
		await sleep(1000);
		if (await a.locator('[role="dialog"] >> text=' + CHAT_TITLE).count())
			notes.push('a search for an absent word still lists the chat');
		await a.keyboard.press('Escape');
	});

	await step('20c-chat-open', a, async () => {
		await openSidebar(a);
		await a.locator('#sidebar-chat-item', { hasText: CHAT_TITLE }).first().click();
		await a.waitForURL(/\/c\/[0-9a-f-]+$/, { timeout: STEP_TIMEOUT });
		await a.locator('#chat-input:visible').first().waitFor({ state: 'visible' });
		const r = await api(a, 'GET', '/api/v1/chats/' + a.url().split('/c/')[1]);
		if (r.body?.title !== CHAT_TITLE) throw new Error(`chat: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
	});

	await step('21-admin-creates-group', a, async () => {
		await a.goto(base + '/admin/users/groups', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		await a.locator('button[aria-label="Create Group"]').first().click();
		await a.locator('input[placeholder="Group Name"]').fill(GROUP);
		await a.locator('textarea[placeholder="Group Description"]').fill('made by the e2e scenario');
		await a.locator('form button[type="submit"]', { hasText: 'Save' }).last().click();
		await a.getByText(GROUP, { exact: true }).first().waitFor({ state: 'visible' });
		const r = await api(a, 'GET', '/api/v1/groups/');
		if (!(r.body || []).some((g) => g.name === GROUP))
			throw new Error(`/api/v1/groups/: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
	});

	await step('22-workspace-model-create', a, async () => {
		await a.goto(base + '/workspace/models/create', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		await a.locator('input[placeholder="Model Name"]').fill(WS_MODEL);
		await a.locator('select', { has: a.locator('option', { hasText: 'Select a base model' }) })
			.first().selectOption('gpt-fake');
		await a.locator('button[type="submit"]', { hasText: 'Save & Create' }).click();
		await a.waitForURL((u) => u.pathname === '/workspace/models', { timeout: STEP_TIMEOUT });
		await a.getByText(WS_MODEL, { exact: true }).first().waitFor({ state: 'visible' });
		const r = await api(a, 'GET', '/api/models');
		if (!(r.body?.data || []).some((m) => m.name === WS_MODEL))
			notes.push(`/api/models does not list ${WS_MODEL}: ${r.status}`);
	});

	// the same model made through the API (what the editor's Save & Create
	// sends), then shown by Workspace > Models and the model picker
	await step('23-workspace-model-via-api-listed', a, async () => {
		const id = 'e2e-api-model';
		const r = await api(a, 'POST', '/api/v1/models/create', {
			id, base_model_id: 'gpt-fake', name: 'E2E API Model',
			meta: { profile_image_url: '/static/favicon.png', description: 'made by e2e', suggestion_prompts: null },
			params: {}, access_control: {}
		});
		if (r.status !== 200)
			throw new Error(`POST /api/v1/models/create: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
		await a.goto(base + '/workspace/models', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		await a.getByText('E2E API Model', { exact: true }).first().waitFor({ state: 'visible' });
		await a.goto(base + '/', { waitUntil: 'domcontentloaded' });
		await expectMainPage(a);
		await a.locator('button[aria-label="Select a model"]:visible').first().click();
		await a.getByText('E2E API Model', { exact: true }).first().waitFor({ state: 'visible' });
		await a.keyboard.press('Escape');
	});
}

// The fake's reply: the chat answer, and also what the title, tags and
// follow-up task calls parse (the fake answers every completion alike).
const REPLY = '{"title": "E2E Title", "tags": ["e2e"], "follow_ups": ["Tell me more"]}';
const REPLY_TITLE = 'E2E Title';
const STOP_SVG = 'M2.25 12c0-5.385 4.365-9.75 9.75-9.75s9.75 4.365 9.75 9.75-4.365 9.75-9.75 9.75S2.25 17.385 2.25 12zm6-2.438';

// fakeControl: set the fake provider's behaviour (POST /_control).
async function fakeControl(behaviour) {
	const r = await fetch(`${fake.url}/_control`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(behaviour)
	});
	if (!r.ok) throw new Error(`fake /_control: ${r.status} ${await r.text()}`);
}

// squash: text without white space, to compare rendered markdown with the
// raw reply.
function squash(t) {
	return (t || '').replace(/\s+/g, '');
}

// answerText: the rendered content of the last assistant message ('' when
// none or still empty).
async function answerText(page) {
	const box = page.locator('.chat-assistant').last().locator('#response-content-container');
	try {
		if (!(await box.count())) return '';
		return await box.first().innerText({ timeout: 2000 });
	} catch (e) {
		return '';
	}
}

function stopButton(page) {
	return page.locator(`button:has(path[d^="${STOP_SVG}"]):visible`).first();
}

// lastAssistantDone: the copy and regenerate buttons of the last answer are
// shown (the message is done).
async function lastAssistantDone(page, timeout = STEP_TIMEOUT) {
	const msg = page.locator('[id^="message-"]:has(.chat-assistant)').last();
	await msg.locator('button[aria-label="Copy"]').first().waitFor({ state: 'visible', timeout });
	await msg.locator('[aria-label="Regenerate"]:visible').first().waitFor({ state: 'visible', timeout });
}

// waitAnswer: polls the last answer until pred(squashed text) holds; returns
// every distinct text seen on the way.
async function waitAnswer(page, pred, what, timeout = STEP_TIMEOUT) {
	const seen = [];
	const end = Date.now() + timeout;
	while (Date.now() < end) {
		const t = squash(await answerText(page));
		if (t && seen[seen.length - 1] !== t) seen.push(t);
		if (pred(t)) return seen;
		await sleep(100);
	}
	throw new Error(`${what}: timed out; last answer text ${JSON.stringify(seen[seen.length - 1] || '')}`);
}

function isPartial(t, full) {
	return t.length > 0 && t.length < full.length && full.startsWith(t);
}

// newChatWithFake: a new chat with the fake model picked.
async function newChatWithFake(page, base) {
	await page.goto(base + '/', { waitUntil: 'domcontentloaded' });
	await expectMainPage(page);
	const picker = page.locator('button[aria-label="Select a model"]:visible').first();
	if ((await picker.innerText()).trim() === 'gpt-fake') return;
	await picker.click();
	const search = page.locator('input[placeholder="Search a model"]:visible').first();
	await search.waitFor({ state: 'visible' });
	await page.getByText('gpt-fake', { exact: true }).first().click();
	if (await search.isVisible()) await page.keyboard.press('Escape');
	await search.waitFor({ state: 'hidden' });
	if ((await picker.innerText()).trim() !== 'gpt-fake')
		throw new Error(`model picker shows ${JSON.stringify(await picker.innerText())}`);
}

// sendPrompt: type text into the chat input and send it with Enter; waits
// for the chat's URL when it was a new chat and returns the chat id.
async function sendPrompt(page, text) {
	const input = page.locator('#chat-input:visible').first();
	await input.click();
	await page.keyboard.type(text);
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/c\/[0-9a-f-]+$/, { timeout: STEP_TIMEOUT });
	return page.url().split('/c/')[1];
}

async function noErrorToast(page) {
	const t = await errorToasts(page);
	if (t.length) throw new Error(`error toast: ${t.join(' / ')}`);
}

// chatSteps: chatting with the fake model through cwebui-streamd (the
// Socket.IO chat flow): streaming, title and follow-ups, stop, reload in
// the middle of a stream, two tabs, regenerate and continue.
async function chatSteps(a, ctx, base) {
	const full = squash(REPLY);
	let chatId = null;

	await step('30-chat-streams-answer', a, async () => {
		await fakeControl({ reply: REPLY, chunk_delay_ms: 200, hang_after_chunks: null });
		await newChatWithFake(a, base);
		chatId = await sendPrompt(a, 'Hello fake, please answer slowly');
		const seen = await waitAnswer(a, (t) => t === full, 'streamed answer');
		if (!seen.some((t) => isPartial(t, full)))
			throw new Error(`no intermediate state seen: ${JSON.stringify(seen)}`);
		notes.push(`${seen.length} states seen, first ${JSON.stringify(seen[0])}`);
		await lastAssistantDone(a);
		await noErrorToast(a);
	});

	await step('31-chat-title-and-follow-ups', a, async () => {
		if (!chatId) throw new Error('no chat from step 30');
		await a.locator('[aria-label="Tell me more"]:visible').first().waitFor({ state: 'visible' });
		await openSidebar(a);
		await a.locator('#sidebar-chat-item', { hasText: REPLY_TITLE }).first().waitFor({ state: 'visible' });
		const r = await api(a, 'GET', '/api/v1/chats/' + chatId);
		if (r.body?.title !== REPLY_TITLE) throw new Error(`chat title: ${r.status} ${JSON.stringify(r.body?.title)}`);
		const msgs = Object.values(r.body?.chat?.history?.messages || {});
		const ans = msgs.find((m) => m.role === 'assistant');
		if (squash(ans?.content) !== full || ans?.done !== true)
			throw new Error(`stored answer: ${JSON.stringify(ans).slice(0, 300)}`);
		if (!(ans.followUps || []).includes('Tell me more'))
			notes.push(`stored followUps: ${JSON.stringify(ans.followUps)}`);
		const tags = await api(a, 'GET', `/api/v1/chats/${chatId}/tags`);
		if (!(tags.body || []).some((t) => t.name === 'e2e'))
			notes.push(`tags: ${tags.status} ${JSON.stringify(tags.body).slice(0, 200)}`);
	});

	await step('32-chat-stop-keeps-partial', a, async () => {
		await fakeControl({ chunk_delay_ms: 100, hang_after_chunks: 3 });
		await newChatWithFake(a, base);
		const id = await sendPrompt(a, 'This answer will hang');
		await stopButton(a).waitFor({ state: 'visible' });
		await waitAnswer(a, (t) => isPartial(t, full), 'partial answer');
		// the fake stalls after 3 chunks: wait until the text stays put
		let partial = squash(await answerText(a));
		for (let still = 0; still < 10; ) {
			await sleep(100);
			const t = squash(await answerText(a));
			still = t === partial ? still + 1 : 0;
			partial = t;
		}
		if (!isPartial(partial, full)) throw new Error(`stalled answer ${JSON.stringify(partial)}`);
		await stopButton(a).click();
		await stopButton(a).waitFor({ state: 'hidden' });
		await sleep(1000);
		if (squash(await answerText(a)) !== partial)
			throw new Error(`after stop the answer is ${JSON.stringify(await answerText(a))}`);
		const aborts = await (await fetch(`${fake.url}/_control/aborts`)).json();
		if (!aborts.length) notes.push('the fake saw no aborted stream');
		await a.reload({ waitUntil: 'domcontentloaded' });
		await a.locator('#chat-input:visible').first().waitFor({ state: 'visible' });
		await waitAnswer(a, (t) => t === partial, 'partial answer after reload', 10000);
		if (await stopButton(a).isVisible()) throw new Error('Stop button shown after reload of a stopped chat');
		const r = await api(a, 'GET', '/api/v1/chats/' + id);
		const ans = Object.values(r.body?.chat?.history?.messages || {}).find((m) => m.role === 'assistant');
		if (squash(ans?.content) !== partial) throw new Error(`stored: ${JSON.stringify(ans).slice(0, 300)}`);
		await noErrorToast(a);
	});

	await step('33-chat-reload-mid-stream', a, async () => {
		await fakeControl({ chunk_delay_ms: 1500, hang_after_chunks: null });
		await newChatWithFake(a, base);
		const id = await sendPrompt(a, 'A slow answer, then a reload');
		await waitAnswer(a, (t) => isPartial(t, full), 'partial answer');
		await sleep(2200);	// streamd saves at most once a second
		await a.reload({ waitUntil: 'domcontentloaded' });
		await a.locator('#chat-input:visible').first().waitFor({ state: 'visible' });
		const seen = await waitAnswer(a, (t) => t.length > 0, 'answer after reload', 10000);
		if (!isPartial(seen[0], full)) throw new Error(`after reload: ${JSON.stringify(seen[0])} is not partial`);
		await stopButton(a).waitFor({ state: 'visible', timeout: 5000 });
		const t = await api(a, 'GET', `/api/tasks/chat/${id}`);
		if (!(t.body?.task_ids || []).length) notes.push(`GET /api/tasks/chat: ${t.status} ${JSON.stringify(t.body)}`);
		await shot(a, '33b-after-reload');
		await waitAnswer(a, (t) => t === full, 'rest of the answer after reload', 20000);
		await lastAssistantDone(a);
		await stopButton(a).waitFor({ state: 'hidden' });
		await noErrorToast(a);
	});

	const a2 = await ctx.newPage();
	a2.setDefaultTimeout(STEP_TIMEOUT);
	watch(a2, 'admin-tab2');
	await step('34-chat-two-tabs', a, async () => {
		await fakeControl({ chunk_delay_ms: 700, hang_after_chunks: null });
		await newChatWithFake(a, base);
		const id = await sendPrompt(a, 'Two tabs watch this');
		await waitAnswer(a, (t) => isPartial(t, full), 'partial answer in tab 1');
		await a2.goto(`${base}/c/${id}`, { waitUntil: 'domcontentloaded' });
		await a2.locator('#chat-input:visible').first().waitFor({ state: 'visible' });
		const [s1, s2] = await Promise.all([
			waitAnswer(a, (t) => t === full, 'tab 1'),
			waitAnswer(a2, (t) => t === full, 'tab 2')
		]);
		if (!s2.some((t) => isPartial(t, full)))
			throw new Error(`tab 2 saw no partial state: ${JSON.stringify(s2)}`);
		notes.push(`tab 1: ${s1.length} states, tab 2: ${s2.length} states`);
		await lastAssistantDone(a);
		await lastAssistantDone(a2);
		await shot(a2, '34b-second-tab');
		await noErrorToast(a);
		await noErrorToast(a2);
	});

	await step('35-chat-regenerate', a, async () => {
		await fakeControl({ chunk_delay_ms: 100, hang_after_chunks: null });
		const msg = a.locator('[id^="message-"]:has(.chat-assistant)').last();
		await msg.locator('[aria-label="Regenerate"]:visible').first().click();
		const retry = a.getByText('Try Again', { exact: true });
		try {
			await retry.first().waitFor({ state: 'visible', timeout: 2000 });
			await retry.first().click();
		} catch (e) {
			/* no menu: the button regenerates at once */
		}
		await a.getByText('2/2', { exact: true }).first().waitFor({ state: 'visible' });
		await waitAnswer(a, (t) => t === full, 'regenerated answer');
		await lastAssistantDone(a);
		await noErrorToast(a);
	});

	await step('36-chat-continue', a, async () => {
		const cont = a.locator('button#continue-response-button:visible').last();
		if (!(await cont.count())) {
			notes.push('no Continue Response button');
			return;
		}
		await cont.click();
		await waitAnswer(a, (t) => t === full + full, 'continued answer');
		await lastAssistantDone(a);
		await noErrorToast(a);
	});
	await a2.close();
}

// pollingStep: a second stack with ENABLE_WEBSOCKET_SUPPORT=false (the
// frontend then opens Socket.IO with polling and upgrades), set up through
// the API (admin, OpenAI connection to the fake); a chat streams there too.
async function pollingStep(browser, viewport) {
	const port = env.POLL_PORT || String(Number(PORT) + 2);
	let ctx = null;
	let page = null;
	const sio = [];
	await step('37-chat-polling-transport', () => page, async () => {
		stack2 = await startStack(port, { ENABLE_WEBSOCKET_SUPPORT: 'false' });
		const base = stack2.base;
		const cfg = await (await fetch(base + '/api/config')).json();
		if (cfg?.features?.enable_websocket !== false)
			throw new Error(`/api/config features.enable_websocket: ${JSON.stringify(cfg?.features?.enable_websocket)}`);
		const su = await fetch(base + '/api/v1/auths/signup', {
			method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(ADMIN)
		});
		const tok = (await su.json())?.token;
		if (!tok) throw new Error(`signup: ${su.status}`);
		const h = { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}` };
		const up = await fetch(base + '/openai/config/update', {
			method: 'POST', headers: h,
			body: JSON.stringify({
				ENABLE_OPENAI_API: true, OPENAI_API_BASE_URLS: [`${fake.url}/v1`],
				OPENAI_API_KEYS: ['sk-e2e'], OPENAI_API_CONFIGS: {}
			})
		});
		if (!up.ok) throw new Error(`/openai/config/update: ${up.status} ${await up.text()}`);
		ctx = await browser.newContext({ viewport });
		await ctx.addInitScript((t) => localStorage.setItem('token', t), tok);
		page = await ctx.newPage();
		page.setDefaultTimeout(STEP_TIMEOUT);
		watch(page, 'polling');
		page.on('request', (r) => {
			const u = new URL(r.url());
			if (u.pathname.startsWith('/ws/socket.io/')) sio.push(u.searchParams.get('transport'));
		});
		page.on('websocket', (ws) => {
			if (new URL(ws.url()).pathname.startsWith('/ws/socket.io/')) sio.push('websocket (upgrade)');
		});
		await fakeControl({ reply: REPLY, chunk_delay_ms: 200, hang_after_chunks: null });
		await newChatWithFake(page, base);
		await sendPrompt(page, 'Hello over polling');
		const full = squash(REPLY);
		const seen = await waitAnswer(page, (t) => t === full, 'streamed answer');
		if (!seen.some((t) => isPartial(t, full))) notes.push('no intermediate state seen');
		await lastAssistantDone(page);
		await noErrorToast(page);
		if (!sio.includes('polling')) throw new Error(`no polling request: ${JSON.stringify(sio)}`);
		notes.push(`socket.io transports used: ${[...new Set(sio)].join(', ')}`);
	});
	if (ctx) await ctx.close();
}

// stopChildren: end the stack and the fake provider this script started.
function stopChildren() {
	if (fake) {
		try {
			fake.child.kill('SIGTERM');
		} catch (e) {
			/* gone */
		}
	}
	for (const st of [stack, stack2]) {
		if (!st) continue;
		try {
			process.kill(-st.child.pid, 'SIGTERM');
		} catch (e) {
			/* gone */
		}
	}
	fake = stack = stack2 = null;
}

let stack = null;
let stack2 = null;

async function main() {
	process.on('exit', stopChildren);
	for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(2));
	const { chromium } = await loadPlaywright();
	fs.mkdirSync(SHOTS, { recursive: true });

	let base = env.BASE_URL;
	if (!base) {
		stack = await startStack();
		base = stack.base;
	}
	base = base.replace(/\/$/, '');
	fake = await startFake();

	// launch() gives chromium a fresh temporary profile (--user-data-dir) of
	// its own and removes it on close.
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'
		]
	});
	const viewport = { width: 1280, height: 800 };
	const ctxA = await browser.newContext({ viewport });
	const ctxB = await browser.newContext({ viewport });
	if (STUB_MISSING) {
		await stub(ctxA);
		await stub(ctxB);
	}
	const a = await ctxA.newPage();
	const b = await ctxB.newPage();
	a.setDefaultTimeout(STEP_TIMEOUT);
	b.setDefaultTimeout(STEP_TIMEOUT);
	watch(a, 'admin');
	watch(b, 'second');

	await step('01-onboarding', a, async () => {
		await a.goto(base + '/', { waitUntil: 'domcontentloaded' });
		await a.waitForURL(/\/auth/, { timeout: STEP_TIMEOUT });
		await a.getByText('Get started', { exact: false }).first().waitFor({ state: 'visible' });
	});

	await step('02-admin-signup', a, async () => {
		await a.getByRole('button', { name: /Get started/i }).first().click();
		await fillAuthForm(a, ADMIN, true);
		await a.getByRole('button', { name: 'Create Admin Account' }).click();
		await expectMainPage(a);
		if (!(await token(a))) throw new Error('no token in localStorage');
	});

	await step('03-reload-session-kept', a, async () => {
		await a.reload({ waitUntil: 'domcontentloaded' });
		await expectMainPage(a);
	});

	await step('04-sign-out', a, async () => {
		const menu = a.locator('[aria-label="Open User Profile Menu"]:visible').first();
		await menu.click();
		await a.getByText('Sign Out', { exact: true }).click();
		await a.waitForURL(/\/auth/, { timeout: STEP_TIMEOUT });
		await a.locator('#email').waitFor({ state: 'visible' });
		if (await token(a)) throw new Error('token still in localStorage');
	});

	await step('05-sign-in', a, async () => {
		if (!a.url().includes('/auth')) await a.goto(base + '/auth');
		await fillAuthForm(a, ADMIN, false);
		await a.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expectMainPage(a);
	});

	// Open WebUI turns sign-up off once the first (admin) account exists;
	// the admin turns it back on in Admin Settings > General.  When the page
	// cannot save it (it also needs the webhook and LDAP routes), fall back
	// to the same API call the page makes and note it.
	await step('06-admin-enables-signup', a, async () => {
		await a.goto(base + '/admin/settings/general', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		const row = a.locator('div.flex', { has: a.getByText('Enable New Sign Ups', { exact: true }) }).last();
		const sw = row.getByRole('switch');
		await sw.waitFor({ state: 'visible' });
		if ((await sw.getAttribute('aria-checked')) !== 'true') await sw.click();
		await a.getByRole('button', { name: 'Save', exact: true }).click();
		await sleep(1500);
		const cfg = await (await fetch(base + '/api/config')).json();
		if (cfg?.features?.enable_signup) return;
		notes.push('the Save button did not enable sign-up; used POST /api/v1/auths/admin/config');
		const ok = await a.evaluate(async () => {
			const h = { 'Content-Type': 'application/json', Authorization: `Bearer ${localStorage.token}` };
			const cur = await (await fetch('/api/v1/auths/admin/config', { headers: h })).json();
			const r = await fetch('/api/v1/auths/admin/config', {
				method: 'POST', headers: h, body: JSON.stringify({ ...cur, ENABLE_SIGNUP: true })
			});
			return r.ok;
		});
		const cfg2 = await (await fetch(base + '/api/config')).json();
		if (!ok || !cfg2?.features?.enable_signup) throw new Error('could not enable sign-up');
	});

	await step('07-second-signup-pending', b, async () => {
		await b.goto(base + '/', { waitUntil: 'domcontentloaded' });
		await b.waitForURL(/\/auth/, { timeout: STEP_TIMEOUT });
		await b.getByRole('button', { name: 'Sign up', exact: true }).click();
		await fillAuthForm(b, SECOND, true);
		await b.getByRole('button', { name: 'Create Account' }).click();
		await b.getByText('Account Activation Pending').waitFor({ state: 'visible' });
	});

	await step('08-admin-users-list', a, async () => {
		await a.goto(base + '/admin/users', { waitUntil: 'domcontentloaded' });
		await dismissChangelog(a);
		await a.getByText(SECOND.email).waitFor({ state: 'visible' });
	});

	await step('09-admin-sets-role-user', a, async () => {
		const row = a.locator('tr', { hasText: SECOND.email });
		await row.getByRole('button', { name: 'pending' }).click();
		await a.locator('select').filter({ has: a.locator('option[value="pending"]') }).first()
			.selectOption('user');
		await a.getByRole('button', { name: 'Save' }).click();
		await row.getByRole('button', { name: 'user', exact: true }).waitFor({ state: 'visible' });
	});

	await step('10-second-reload-active', b, async () => {
		await b.reload({ waitUntil: 'domcontentloaded' });
		await expectMainPage(b);
	});

	const ctxC = await browser.newContext({ viewport });
	if (STUB_MISSING) await stub(ctxC);
	const c = await ctxC.newPage();
	c.setDefaultTimeout(STEP_TIMEOUT);
	watch(c, 'anonymous');
	await step('11-direct-auth-signed-out', c, async () => {
		await directLoad(c, '/auth', base);
		await c.locator('#email').waitFor({ state: 'visible' });
	});

	await step('12-direct-admin-users', a, async () => {
		await directLoad(a, '/admin/users', base);
		await a.getByText(SECOND.email).waitFor({ state: 'visible' });
	});

	await step('13-direct-chat-id', a, async () => {
		await directLoad(a, '/c/some-id', base);
		await a.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	});

	await step('14-direct-auth-signed-in', a, async () => {
		await directLoad(a, '/auth', base);
		// a signed-in user on /auth is sent on to /
		await a.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	});

	await extendedSteps(a, base);
	await chatSteps(a, ctxA, base);
	if (!env.BASE_URL) await pollingStep(browser, viewport);

	await browser.close();
	const stackDir = stack && stack.dir;
	stopChildren();

	const report = { base, stubMissing: STUB_MISSING, results, stubbed, failures, consoleErrors, calls };
	fs.writeFileSync(path.join(SHOTS, 'report.json'), JSON.stringify(report, null, 2));

	const seen = new Set();
	console.log('\nFailing requests (first occurrence of each method+path+status):');
	for (const f of failures) {
		const u = new URL(f.url);
		const key = `${f.method} ${u.pathname} ${f.status}`;
		if (seen.has(key)) continue;
		seen.add(key);
		console.log(`  [${f.step}] ${key} ${f.body.replace(/\s+/g, ' ').slice(0, 120)}`);
	}
	if (STUB_MISSING) {
		const paths = [...new Set(stubbed.map((x) => x.url))];
		console.log(`\nStubbed (backend 404, STUB_MISSING=1): ${paths.join(' ') || 'none'}`);
	}
	console.log(`\n${results.filter((r) => r.ok).length}/${results.length} steps passed; report: ${SHOTS}/report.json`);
	if (stackDir) console.log(`stack log: ${stackDir}/stack.log`);
	process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((e) => {
	console.error('frontend.mjs:', e);
	process.exit(2);
});
