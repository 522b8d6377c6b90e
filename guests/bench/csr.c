/* csr - CSR accesses in a loop: sscratch swaps, sstatus set/clear of SPIE, reads of sie, stval and
 * scounteren writes (S-mode CSRs an OS touches on every trap and context switch; no timer or counter
 * reads, so the checksum does not depend on timing; SPIE rather than SUM, whose changes make QEMU flush
 * its TLB, which would measure QEMU's flush rather than CSR access). */
#include "bench.h"

#ifndef ITERS
#define ITERS 2000000
#endif

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = 0;
	for (long i = 0; i < ITERS; i++) {
		unsigned long prev = csr_swap(sscratch, i * 3 + 1);
		sum += prev;
		csr_set(sstatus, SSTATUS_SPIE);
		sum ^= csr_read(sstatus) & SSTATUS_SPIE;
		csr_clear(sstatus, SSTATUS_SPIE);
		sum += csr_read(sie);
		csr_write(stval, sum);
		sum += csr_read(stval) >> 7;
		csr_write(scounteren, i & 7);
	}
	bench_done("csr", sum + csr_read(sscratch));
}
