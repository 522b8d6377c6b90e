import { b, i, j, r, R_OPS, s, u } from '../support/encode.ts';
import type { Random } from '../support/hart-harness.ts';

/**
 * Seeded random RV64IMC (+ AMO) programs for the differential guard: a loop around a random body of ALU
 * operations, loads and stores (aligned and not), AMOs, forward branches, calls to functions on other pages
 * (one crossing a page boundary with a 32-bit instruction), instret reads, and optionally code that
 * patches an instruction of its own loop every iteration. Ends through the test finisher.
 *
 * Register use: x1 link, x27..x29 the patcher, x30 the loop counter, x31 the data base; the body writes
 * x2..x26 only. Data: 0x80300000 (2 KiB scratch, patch words at +0x7f0, register dump at +0x800).
 */
export interface RandomProgram {
  image: Uint8Array;
  /** Where the image goes (RAM base). */
  loadAddress: number;
}

const BASE = 0x8020_0000; // above the firmware region
const DATA = 0x10_0000; // offset of the data area in the image
const FUNC_A = 0x1800; // on the second page
const FUNC_B = 0x2ffc; // its second instruction crosses into the fourth page
const ITERATIONS = 40;

const I_OPS: [number, number, number][] = [ // f3, opcode, kind (0 imm12, 1 shamt6, 2 shamt5, 3 srai, 4 sraiw)
  [0, 0x13, 0], [2, 0x13, 0], [3, 0x13, 0], [4, 0x13, 0], [6, 0x13, 0], [7, 0x13, 0],
  [1, 0x13, 1], [5, 0x13, 1], [5, 0x13, 3], [0, 0x1b, 0], [1, 0x1b, 2], [5, 0x1b, 2], [5, 0x1b, 4],
];
const LOADS = [0, 1, 2, 3, 4, 5, 6]; // lb lh lw ld lbu lhu lwu
const STORES = [0, 1, 2, 3]; // sb sh sw sd
const BRANCHES = [0, 1, 4, 5, 6, 7];
const R_LIST = Object.values(R_OPS);

/** amoswap, amoadd, amoxor, amoand, amoor, amomin, amomax, amominu, amomaxu. */
const AMO_FUNCT5 = [0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];

export function randomProgram(rnd: Random, patches: boolean): RandomProgram {
  const image = new Uint8Array(DATA + 0x1000);
  const view = new DataView(image.buffer);
  const put = (at: number, word: number) => view.setUint32(at, word >>> 0, true);
  const anyReg = () => rnd.below(32);
  const bodyReg = () => 2 + rnd.below(25);

  // Data: initial register values and scratch bytes.
  for (let k = 0; k < 0x7f0; k += 8) view.setBigUint64(DATA + k, rnd.operand(), true);
  const patchA = i(1, 25, 0, 25, 0x13), patchB = i(3, 25, 0, 25, 0x13); // addi x25, x25, 1 / 3
  put(DATA + 0x7f0, patchA);
  put(DATA + 0x7f4, patchB);

  const code: number[] = [];
  code.push(u(0x100000, 31, 0x17)); // auipc x31, 0x100: the data area
  for (let reg = 1; reg <= 26; reg++) code.push(i(reg * 8, 31, 3, reg, 0x03)); // ld xN, 8N(x31)
  const patchLoad = code.length;
  code.push(0); // auipc x29 to the patched instruction, filled in below
  code.push(0);
  code.push(i(ITERATIONS, 0, 0, 30, 0x13)); // li x30, ITERATIONS
  const loop = code.length;

  const body: (number | { branchSkip: number; word: (offset: number) => number } | 'patch-slot' | 'call-a' | 'call-b')[] = [];
  const length = 40 + rnd.below(80);
  let patchAt = -1;
  for (let k = 0; k < length; k++) {
    const pick = rnd.below(100);
    if (pick < 30) {
      const [f7, f3, opcode] = R_LIST[rnd.below(R_LIST.length)]!;
      body.push(r(f7, anyReg(), anyReg(), f3, rnd.below(20) === 0 ? 0 : bodyReg(), opcode));
    } else if (pick < 50) {
      const [f3, opcode, kind] = I_OPS[rnd.below(I_OPS.length)]!;
      const imm = kind === 0 ? rnd.below(4096) - 2048 : kind === 1 ? rnd.below(64) : kind === 2 ? rnd.below(32)
        : kind === 3 ? 0x400 | rnd.below(64) : 0x400 | rnd.below(32);
      body.push(i(imm, anyReg(), f3, bodyReg(), opcode));
    } else if (pick < 54) {
      body.push(u(rnd.below(0x100000) << 12, bodyReg(), rnd.below(2) ? 0x37 : 0x17));
    } else if (pick < 68) {
      const f3 = LOADS[rnd.below(LOADS.length)]!;
      const size = 1 << (f3 & 3);
      const offset = rnd.below(8) === 0 ? rnd.below(0x7e0) : rnd.below(0x7e0 / size) * size;
      body.push(i(offset, 31, f3, bodyReg(), 0x03));
    } else if (pick < 80) {
      const f3 = STORES[rnd.below(STORES.length)]!;
      const size = 1 << f3;
      const offset = rnd.below(8) === 0 ? rnd.below(0x7e0 - 8) : rnd.below(0x7e0 / size) * size;
      body.push(s(offset, anyReg(), 31, f3));
    } else if (pick < 90) {
      const f3 = BRANCHES[rnd.below(BRANCHES.length)]!, rs1 = anyReg(), rs2 = anyReg();
      const skip = 1 + rnd.below(4);
      body.push({ branchSkip: skip, word: (offset) => b(offset, rs2, rs1, f3) });
    } else if (pick < 93) {
      body.push(rnd.below(2) ? 'call-a' : 'call-b');
    } else if (pick < 96) {
      body.push(i(0xc02, 0, 2, bodyReg(), 0x73)); // rdinstret: exact retired counts
    } else if (pick >= 98) {
      // An AMO on the data area's first doubleword (x31 is its aligned base): .W or .D, any of the nine.
      const funct5 = AMO_FUNCT5[rnd.below(AMO_FUNCT5.length)]!;
      body.push(r(funct5 << 2, anyReg(), 31, 2 + rnd.below(2), bodyReg(), 0x2f));
    } else if (patches && patchAt < 0) {
      patchAt = body.length;
      body.push('patch-slot');
    } else {
      body.push(i(rnd.below(4096) - 2048, anyReg(), 0, bodyReg(), 0x13));
    }
  }
  if (patches) {
    // Every iteration: x28 = patch word (iteration parity), stored over the patch slot.
    body.push(i(1, 30, 7, 27, 0x13)); // andi x27, x30, 1
    body.push(i(2, 27, 1, 27, 0x13)); // slli x27, x27, 2
    body.push(r(0, 31, 27, 0, 27, 0x33)); // add x27, x27, x31
    body.push(i(0x7f0, 27, 6, 28, 0x03)); // lwu x28, 0x7f0(x27)
    body.push(s(0, 28, 29, 2)); // sw x28, 0(x29)
    if (patchAt < 0) { patchAt = body.length; body.push('patch-slot'); }
  }

  for (let k = 0; k < body.length; k++) {
    const item = body[k]!;
    const pc = code.length * 4;
    if (typeof item === 'number') code.push(item);
    else if (item === 'patch-slot') code.push(patchA);
    else if (item === 'call-a') code.push(j(FUNC_A - pc, 1));
    else if (item === 'call-b') code.push(j(FUNC_B - pc, 1));
    else code.push(item.word(4 * Math.min(item.branchSkip + 1, body.length - k)));
  }
  code.push(i(-1, 30, 0, 30, 0x13)); // addi x30, x30, -1
  code.push(b((loop - code.length) * 4, 0, 30, 1)); // bne x30, x0, loop
  code.push(i(0x7f8, 31, 0, 26, 0x13)); // addi x26, x31, 0x7f8: the dump base (x26 dumped first below)
  for (let reg = 1; reg <= 31; reg++) code.push(s(reg * 8, reg, 26, 3)); // sd xN, 8N(x26)
  code.push(u(0x100000, 5, 0x37)); // lui x5, 0x100: the test finisher
  code.push(u(0x5000, 6, 0x37));
  code.push(i(0x555, 6, 0, 6, 0x13)); // x6 = 0x5555: pass
  code.push(s(0, 6, 5, 2));
  if (code.length * 4 > FUNC_A) throw new Error('random program: body too long');

  // x29 = address of the patch slot: auipc x29, 0 at patchLoad, then addi.
  const slotOffset = (loop + patchAt) * 4;
  code[patchLoad] = u(0, 29, 0x17);
  code[patchLoad + 1] = i(slotOffset - patchLoad * 4, 29, 0, 29, 0x13);
  code.forEach((word, k) => put(k * 4, word));

  // Function A: a few operations, then return.
  put(FUNC_A, r(0, 22, 21, 0, 21, 0x33)); // add x21, x21, x22
  put(FUNC_A + 4, i(0x55, 22, 4, 22, 0x13)); // xori x22, x22, 0x55
  put(FUNC_A + 8, i(0, 1, 0, 0, 0x67)); // ret
  // Function B: c.nop, then a 32-bit add across the page boundary, then return.
  view.setUint16(FUNC_B, 0x0001, true);
  put(FUNC_B + 2, r(1, 24, 23, 0, 23, 0x33)); // mul x23, x23, x24
  put(FUNC_B + 6, i(0, 1, 0, 0, 0x67));
  return { image, loadAddress: BASE };
}
