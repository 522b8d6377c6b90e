import { describe, expect, it } from 'vitest';
import { bootRootOs, PROMPT } from './lab.ts';

const files = {
  'etc/motd': 'Welcome to the Jailhouse Lab root cell.\n',
  'etc/jailhouse/readme.txt': 'configs go here\n',
  'hello.txt': 'hello\nworld\n',
  'bin/blob': Uint8Array.from({ length: 40 }, (_, i) => i * 7),
};

describe('root-cell OS: boot', () => {
  it('reaches the prompt with all harts online in under 50 million instructions', () => {
    const lab = bootRootOs({ harts: 4, files });
    const out = lab.output();
    expect(out).toContain('Jailhouse Lab root-cell OS');
    expect(out).toContain('CPUs 0-3 online (boot CPU 0), RAM 256 MiB at 0x80000000, initrd 2 KiB (7 files)');
    expect(out.endsWith(PROMPT)).toBe(true);
    console.log(`rootos: ${lab.bootInstructions} instructions to the shell prompt (4 harts)`);
    expect(lab.bootInstructions).toBeLessThan(50_000_000);
  });

  it('boots without an initrd and shows the kernel command line', () => {
    const lab = bootRootOs({ harts: 2, bootargs: 'console=ttyS0 quiet' });
    expect(lab.output()).toContain('no initrd');
    expect(lab.output()).toContain('Command line: console=ttyS0 quiet');
    expect(lab.command('ls')).toBe('');
  });

  it('prints the same bytes on two runs (deterministic time)', () => {
    const run = () => {
      const lab = bootRootOs({ harts: 4, files });
      lab.command('cpus');
      lab.command('jailhouse enable nothing.cell');
      return lab.output();
    };
    expect(run()).toBe(run());
  });
});

describe('root-cell OS: commands', () => {
  const lab = bootRootOs({ harts: 4, files });

  it('help lists every command', () => {
    const out = lab.command('help');
    for (const c of ['help', 'ls', 'cat', 'hexdump', 'md', 'mw', 'cpus', 'jailhouse', 'poweroff', 'reboot']) {
      expect(out).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it('ls lists the RAM disk, directories inferred and marked', () => {
    expect(lab.command('ls')).toBe('       -  bin/\n       -  etc/\n      12  hello.txt\n');
    expect(lab.command('ls /etc')).toBe('       -  jailhouse/\n      40  motd\n');
    expect(lab.command('ls etc/jailhouse/')).toBe('      16  readme.txt\n');
    expect(lab.command('ls nowhere')).toBe("ls: cannot access 'nowhere': No such file or directory\n");
  });

  it('cat prints files and names missing ones', () => {
    expect(lab.command('cat hello.txt /etc/motd')).toBe('hello\nworld\nWelcome to the Jailhouse Lab root cell.\n');
    expect(lab.command('cat missing')).toBe('cat: missing: No such file or directory\n');
    expect(lab.command('cat etc')).toBe('cat: etc: Is a directory\n');
  });

  it('hexdump prints like hexdump -C', () => {
    expect(lab.command('hexdump bin/blob')).toBe(
      '00000000  00 07 0e 15 1c 23 2a 31  38 3f 46 4d 54 5b 62 69  |.....#*18?FMT[bi|\n' +
      '00000010  70 77 7e 85 8c 93 9a a1  a8 af b6 bd c4 cb d2 d9  |pw~.............|\n' +
      '00000020  e0 e7 ee f5 fc 03 0a 11                           |........|\n' +
      '00000028\n');
  });

  it('mw writes and md reads physical memory; an unmapped address is an access fault', () => {
    expect(lab.command('mw 0x8f000000 0x64636261')).toBe('');
    expect(lab.command('mw 0x8f000004 1684234849')).toBe('');
    expect(lab.command('md 0x8f000000 8')).toBe('8f000000: 64636261 64636261                      abcdabcd\n');
    expect(lab.command('md 0x8f000000')).toMatch(/^8f000000: 64636261 64636261 00000000 00000000    abcdabcd\.{8}\n(8f0000[1-3]0: .*\n){3}$/);
    expect(lab.command('md 0x0 4')).toBe('md: access fault at 0x0 (scause 5)\n');
    expect(lab.command('mw 0x4 1')).toBe('mw: access fault at 0x4 (scause 7)\n');
    expect(lab.command('md')).toMatch(/^usage: md ADDR/);
  });

  it('cpus shows every hart online, the shell on the boot CPU', () => {
    expect(lab.command('cpus')).toBe(
      'CPU  State     HSM state   Use\n' +
      '0    online    started     shell\n' +
      '1    online    started     idle\n' +
      '2    online    started     idle\n' +
      '3    online    started     idle\n' +
      'online: 0-3\n');
  });

  it('cpus offline/online stop and restart a hart through SBI HSM', () => {
    expect(lab.command('cpus offline 2')).toBe('');
    expect(lab.command('cpus')).toContain('2    offline   stopped     \n');
    expect(lab.command('cpus')).toMatch(/online: 0-1,3\n$/);
    expect(lab.command('cpus online 2')).toBe('');
    expect(lab.command('cpus')).toMatch(/^2    online    started     idle\n(.*\n)*online: 0-3\n$/m);
    expect(lab.command('cpus offline 9')).toBe('usage: cpus [online|offline CPU]\n');
  });

  it('the shell\'s own CPU can go offline: the shell moves to another CPU (Linux hotplug), and keeps working', () => {
    expect(lab.command('cpus offline 0')).toBe('');
    expect(lab.command('cpus')).toMatch(/^0    offline   stopped     \n(.*\n)*online: 1-3\n$/m);
    expect(lab.machine.harts[0]!.state).toBe(0); // HSM STOPPED
    expect(lab.command('echo still here')).toBe('still here\n'); // typed input reaches the shell on CPU 1
    expect(lab.command('cpus offline 1')).toBe(''); // and again, from CPU 1 to CPU 2
    expect(lab.command('cpus offline 3')).toBe('');
    expect(lab.command('cpus offline 2')).toBe('cpus: offline CPU 2: Device or resource busy\n'); // the last one stays
    for (const cpu of [0, 1, 3]) expect(lab.command(`cpus online ${cpu}`)).toBe('');
    expect(lab.command('cpus')).toMatch(/online: 0-3\n$/);
    expect(lab.command('echo back')).toBe('back\n');
  });

  it('unknown commands and quoting', () => {
    expect(lab.command('frobnicate')).toBe('sh: frobnicate: command not found\n');
    expect(lab.command('echo "a  b" \'c d\' e\\ f')).toBe('a  b c d e f\n');
    expect(lab.command('echo "open')).toBe('sh: unterminated quoted string\n');
  });
});

describe('root-cell OS: line editing', () => {
  it('Backspace, Ctrl-U, arrows and Ctrl-C edit the line', () => {
    const lab = bootRootOs({ harts: 1, files });
    expect(lab.command('echo abx\x7fc')).toContain('abc\n');
    expect(lab.command('echo wrong\x15echo right')).toContain('right\n');
    // Left twice, insert "X": "echo abXcd"
    expect(lab.command('echo abcd\x1b[D\x1b[DX')).toMatch(/abXcd\n$/);
    const from = lab.output().length;
    lab.type('echo never\x03');
    lab.waitForPrompt(from);
    expect(lab.output().slice(from)).toBe('echo never^C\n' + PROMPT);
  });

  it('Up and Down recall earlier lines', () => {
    const lab = bootRootOs({ harts: 1, files });
    lab.command('echo first');
    lab.command('echo second');
    expect(lab.command('\x1b[A')).toMatch(/second\n$/);              // the last line again
    expect(lab.command('\x1b[A\x1b[A\x1b[A')).toMatch(/first\n$/);   // second, second (deduplicated), first
    expect(lab.command('\x1b[A\x1b[B').endsWith(PROMPT + '\x1b[K\n')).toBe(true); // up, down: the empty line again
  });

  it('Ctrl-C interrupts a running command', () => {
    // Host time: in deterministic mode an idle machine skips straight to the timer deadline.
    const lab = bootRootOs({ harts: 2, files, deterministic: false });
    const from = lab.output().length;
    lab.type('sleep 100\n');
    lab.runUntil(() => lab.output().slice(from).includes('sleep 100\n'));
    lab.runUntil(() => lab.machine.harts[0]!.idle, 10_000_000);
    lab.type('\x03');
    expect(lab.waitForPrompt(from + 10)).toBe(true);
    expect(lab.output().slice(from)).toBe('sleep 100\n' + PROMPT);
  });

  it('runs as a background job only what can be one, and names jobs that do not exist', () => {
    const lab = bootRootOs({ harts: 2, files });
    expect(lab.command('sleep 1 &')).toBe('sh: sleep cannot run in the background\n');
    expect(lab.command('jobs')).toBe('');
    expect(lab.command('kill %3')).toBe('kill: %3: no such job\n');
    expect(lab.command('kill 3')).toBe('usage: kill %JOB\n');
    expect(lab.command('echo a & b')).toBe('a & b\n');
  });
});

describe('root-cell OS: power', () => {
  it('poweroff ends the run through SBI SRST', () => {
    const lab = bootRootOs({ harts: 2, files });
    lab.type('poweroff\n');
    const outcome = lab.runUntil(() => false);
    expect(outcome).toEqual({ kind: 'finished', result: { kind: 'pass', code: 0 } });
  });

  it('reboot asks for a cold reset', () => {
    const lab = bootRootOs({ harts: 2, files });
    lab.type('reboot\n');
    const outcome = lab.runUntil(() => false);
    expect(outcome).toEqual({ kind: 'finished', result: { kind: 'reset', code: 0 } });
  });
});
