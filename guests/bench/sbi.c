/* sbi - 1M SBI calls (get_spec_version and probe_extension alternating). */
#include "bench.h"

#define CALLS 1000000

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long ok = 0;
	for (long i = 0; i < CALLS / 2; i++) {
		ok += sbi_get_spec_version().error == 0;
		ok += sbi_probe_extension(SBI_EXT_TIME).value != 0;
	}
	bench_done("sbi", ok);
}
