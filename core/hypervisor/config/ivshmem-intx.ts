import type { CellConfig, PciDevice } from './types.ts';

/*
 * How an ivshmem function's INTx reaches its cell, one rule shared by `config check` (check.ts) and the
 * hypervisor (ivshmem.ts), so both accept and refuse the same configurations.
 *
 * As in Jailhouse's RISC-V port, the INTx is a *virtual* interrupt: the hypervisor injects it into the
 * cell's view of the PLIC at vpci_irq_base + pin - 1, a source number that is not one of the cell's
 * physical pins (Jailhouse stops with "FATAL: irqchip: Unable to register vIRQ" when it is; the lab
 * refuses such a cell up front). A function with MSI-X vectors has no INTx (pin 0), so no rule applies.
 */

/** INTx pin of an ivshmem function: `((bdf >> 3) & 3) + 1` (spec). */
export function intxPin(bdf: number): number {
  return ((bdf >> 3) & 3) + 1;
}

/** The virtual interrupt source of an ivshmem function's INTx in its cell: vpci_irq_base + pin - 1. */
export function intxIrq(cfg: CellConfig, dev: PciDevice): number {
  return cfg.vpci_irq_base + intxPin(dev.bdf) - 1;
}

/**
 * Why the INTx of ivshmem function `dev` cannot be a virtual interrupt of its cell, or undefined.
 * `pins` are the cell's irqchip pins, `maxIrq` the irqchip's sources (max_irq).
 */
export function intxProblem(cfg: CellConfig, dev: PciDevice, pins: ReadonlySet<number>, maxIrq: number): string | undefined {
  if (dev.num_msix_vectors !== 0) return undefined;
  const irq = intxIrq(cfg, dev);
  const what = `INTx is virtual interrupt ${irq} (vpci_irq_base ${cfg.vpci_irq_base} + pin ${intxPin(dev.bdf)} - 1)`;
  if (irq < 1 || irq >= maxIrq) return `${what}, outside the irqchip's sources 1-${maxIrq - 1}`;
  if (pins.has(irq)) return `${what}, which is also one of the cell's irqchip pins (the hypervisor injects it, so it must not be a physical pin)`;
  return undefined;
}
