/**
 * The TCP sockets a process (and its children) listens on, read from `/proc` (Linux): which
 * addresses a server really bound, without sending it any traffic.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A listening socket: its address (IPv4 dotted, IPv6 as 8 hex groups) and port. */
export interface ListeningSocket {
  readonly address: string;
  readonly port: number;
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8);
    const bytes = [6, 4, 2, 0].map((j) => word.slice(j, j + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  return words.map((w) => w.toLowerCase()).join(':');
}

/** Every TCP socket in LISTEN state held by `pid` or any of its descendants. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...children(pids[i]!));
  const inodes = new Set(pids.flatMap((p) => [...socketInodes(p)]));
  const out: ListeningSocket[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9]!)) continue;
      const [address, port] = fields[1]!.split(':');
      out.push({ address: decode(address!), port: parseInt(port!, 16) });
    }
  }
  return out;
}
