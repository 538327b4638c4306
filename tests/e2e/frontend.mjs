// frontend.mjs: drive the unchanged Open WebUI frontend against cwebui with a
// real browser (headless chromium through playwright-core).
//
// It starts a fresh stack (fcgi-conf/run-stack on a new, empty data
// directory) unless BASE_URL points at a running one, then walks through:
// onboarding, admin sign-up, reload, sign-out, sign-in, a second person's
// sign-up (pending overlay), the admin activating them on /admin/users, and
// direct loads of SPA paths.  Every step takes a screenshot; every failed
// request (status >= 400 or no response), console error and page error is
// recorded with the step it happened in.  See README.md.
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

// startStack: run-stack on a fresh data directory; returns {base, child, dir}.
async function startStack() {
	const frontend = env.FRONTEND_DIR;
	if (!frontend || !fs.existsSync(path.join(frontend, 'index.html'))) {
		console.error('frontend.mjs: FRONTEND_DIR must name a built Open WebUI frontend (with index.html), or set BASE_URL');
		process.exit(2);
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwebui-e2e-'));
	const child = spawn(path.join(repoRoot, 'fcgi-conf', 'run-stack'), [], {
		env: {
			...env,
			PORT,
			HOST: '127.0.0.1',
			DATA_DIR: path.join(dir, 'data'),
			RUNDIR: path.join(dir, 'run'),
			CWEBUI_BUILDDIR: env.CWEBUI_BUILDDIR || repoRoot
		},
		stdio: ['ignore', fs.openSync(path.join(dir, 'stack.log'), 'a'), fs.openSync(path.join(dir, 'stack.log'), 'a')],
		detached: true
	});
	const base = `http://127.0.0.1:${PORT}`;
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

const results = [];
const failures = [];
const consoleErrors = [];
let currentStep = 'setup';

// watch: record the failing requests, console errors and page errors of page.
function watch(page, who) {
	page.on('response', async (resp) => {
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
		consoleErrors.push({ step: currentStep, who, type: 'pageerror', text: String(err).slice(0, 300) });
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
async function step(name, page, fn) {
	currentStep = name;
	const t0 = Date.now();
	let ok = true;
	let error = null;
	try {
		await fn();
	} catch (e) {
		ok = false;
		error = String(e.message || e).split('\n').slice(0, 4).join(' | ');
	}
	await sleep(500);
	const screenshot = await shot(page, name);
	results.push({ step: name, ok, ms: Date.now() - t0, error, url: page.url(), screenshot });
	console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${error ? ': ' + error : ''}`);
	return ok;
}

// mainPage: the signed-in chat page is shown (no auth form, no pending overlay).
async function expectMainPage(page) {
	await page.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	await page.locator('#chat-input, #sidebar-new-chat-button, [aria-label="Open User Profile Menu"]')
		.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
	if (await page.getByText('Account Activation Pending').isVisible())
		throw new Error('pending overlay shown');
}

async function token(page) {
	return page.evaluate(() => localStorage.getItem('token'));
}

async function fillAuthForm(page, who, withName) {
	if (withName) await page.locator('input[name="name"]').fill(who.name);
	await page.locator('input[name="email"]').fill(who.email);
	await page.locator('input[name="password"]').fill(who.password);
	const confirm = page.locator('input[name="confirm-password"]');
	if (await confirm.count()) await confirm.fill(who.password);
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

async function main() {
	const { chromium } = await loadPlaywright();
	fs.mkdirSync(SHOTS, { recursive: true });

	let stack = null;
	let base = env.BASE_URL;
	if (!base) {
		stack = await startStack();
		base = stack.base;
	}
	base = base.replace(/\/$/, '');

	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwebui-e2e-chromium-'));
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			`--user-data-dir=${userDataDir}`
		]
	});
	const viewport = { width: 1280, height: 800 };
	const ctxA = await browser.newContext({ viewport });
	const ctxB = await browser.newContext({ viewport });
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
		await a.locator('input[name="email"]').waitFor({ state: 'visible' });
		if (await token(a)) throw new Error('token still in localStorage');
	});

	await step('05-sign-in', a, async () => {
		if (!a.url().includes('/auth')) await a.goto(base + '/auth');
		await fillAuthForm(a, ADMIN, false);
		await a.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expectMainPage(a);
	});

	await step('06-second-signup-pending', b, async () => {
		await b.goto(base + '/', { waitUntil: 'domcontentloaded' });
		await b.waitForURL(/\/auth/, { timeout: STEP_TIMEOUT });
		await b.getByRole('button', { name: 'Sign up', exact: true }).click();
		await fillAuthForm(b, SECOND, true);
		await b.getByRole('button', { name: 'Create Account' }).click();
		await b.getByText('Account Activation Pending').waitFor({ state: 'visible' });
	});

	await step('07-admin-users-list', a, async () => {
		await a.goto(base + '/admin/users', { waitUntil: 'domcontentloaded' });
		await a.getByText(SECOND.email).waitFor({ state: 'visible' });
	});

	await step('08-admin-sets-role-user', a, async () => {
		const row = a.locator('tr', { hasText: SECOND.email });
		await row.getByRole('button', { name: 'pending' }).click();
		await a.locator('select').filter({ has: a.locator('option[value="pending"]') }).first()
			.selectOption('user');
		await a.getByRole('button', { name: 'Save' }).click();
		await row.getByRole('button', { name: 'user', exact: true }).waitFor({ state: 'visible' });
	});

	await step('09-second-reload-active', b, async () => {
		await b.reload({ waitUntil: 'domcontentloaded' });
		await expectMainPage(b);
	});

	const ctxC = await browser.newContext({ viewport });
	const c = await ctxC.newPage();
	c.setDefaultTimeout(STEP_TIMEOUT);
	watch(c, 'anonymous');
	await step('10-direct-auth-signed-out', c, async () => {
		await directLoad(c, '/auth', base);
		await c.locator('input[name="email"]').waitFor({ state: 'visible' });
	});

	await step('11-direct-admin-users', a, async () => {
		await directLoad(a, '/admin/users', base);
		await a.getByText(SECOND.email).waitFor({ state: 'visible' });
	});

	await step('12-direct-chat-id', a, async () => {
		await directLoad(a, '/c/some-id', base);
		await a.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	});

	await step('13-direct-auth-signed-in', a, async () => {
		await directLoad(a, '/auth', base);
		// a signed-in user on /auth is sent on to /
		await a.waitForURL((u) => !u.pathname.startsWith('/auth'), { timeout: STEP_TIMEOUT });
	});

	await browser.close();
	if (stack) {
		try {
			process.kill(-stack.child.pid, 'SIGTERM');
		} catch (e) {
			/* gone */
		}
	}
	fs.rmSync(userDataDir, { recursive: true, force: true });

	const report = { base, results, failures, consoleErrors };
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
	console.log(`\n${results.filter((r) => r.ok).length}/${results.length} steps passed; report: ${SHOTS}/report.json`);
	if (stack) console.log(`stack log: ${stack.dir}/stack.log`);
	process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((e) => {
	console.error('frontend.mjs:', e);
	process.exit(2);
});
