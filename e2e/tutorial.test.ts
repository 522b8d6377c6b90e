// The tutorial markdown subset that lab files use, parsed into blocks (commands become Type buttons).
import { describe, expect, it } from 'vitest';
import { parseTutorial } from '../renderer/src/tutorial.tsx';

describe('parseTutorial', () => {
  it('finds paragraphs, numbered steps and the commands inside them', () => {
    const blocks = parseTutorial([
      'The board has **six** harts.',
      'Still the first paragraph.',
      '',
      '1. Enable the hypervisor.',
      '',
      '       jailhouse enable /etc/jailhouse/sysconfig.cell',
      '',
      '2. Create the cell and',
      '   load it.',
      '',
      '       jailhouse cell create a.cell',
      '       jailhouse cell start a',
      '3. Look around: `jailhouse cell list`.',
      '',
      'Done.',
    ].join('\n'));
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'The board has **six** harts. Still the first paragraph.' },
      {
        kind: 'list', items: [
          [{ kind: 'paragraph', text: 'Enable the hypervisor.' }, { kind: 'code', lines: ['jailhouse enable /etc/jailhouse/sysconfig.cell'] }],
          [{ kind: 'paragraph', text: 'Create the cell and load it.' }, { kind: 'code', lines: ['jailhouse cell create a.cell', 'jailhouse cell start a'] }],
          [{ kind: 'paragraph', text: 'Look around: `jailhouse cell list`.' }],
        ],
      },
      { kind: 'paragraph', text: 'Done.' },
    ]);
  });

  it('keeps a command block outside any list', () => {
    expect(parseTutorial('Type:\n\n    cpus\n')).toEqual([
      { kind: 'paragraph', text: 'Type:' },
      { kind: 'code', lines: ['cpus'] },
    ]);
  });
});
