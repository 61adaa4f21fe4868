// SPDX-License-Identifier: GPL-2.0
/*
 * marker.c: executes the instruction-count marker (xchg %bx,%bx, bytes
 * 66 87 db) once and exits.  Under qemu with the insncount plugin
 * (insncount.c) each execution snapshots the guest's instruction counters;
 * outside it the instruction is a no-op.  Built static (tcg/build.sh) so
 * that starting it costs no dynamic loading.
 */
int main(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
	return 0;
}
