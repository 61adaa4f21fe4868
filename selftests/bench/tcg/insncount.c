// SPDX-License-Identifier: GPL-2.0
/*
 * insncount.c: a QEMU TCG plugin that counts the guest instructions
 * executed, and snapshots the counts whenever the guest executes a marker
 * instruction, so that a workload's window (between two markers) can be
 * counted without the noise of everything else the guest did.
 *
 *   qemu-system-x86_64 ... -plugin insncount.so,out=FILE[,modules=LO-HI][,mode=inline|cb][,profile=PFILE]
 *
 * Counting: at translation time every translation block (TB) is classed
 * by its guest virtual address: "user" (below the canonical hole),
 * "modules" (x86-64's module area, default 0xffffffffc0000000 to
 * 0xffffffffff000000, Debian's KASLR layout; veth, bridge, vxlan, podnet
 * and the rest of the loadable modules run there) or "core" (the rest of
 * the upper half: the kernel image, vsyscall aside).  Kernel = core +
 * modules; total = kernel + user.  Each execution of a TB adds its
 * instruction count to its class: with one vCPU (or mode=inline) by an
 * inline add into a global counter, the cheapest instrumentation there is;
 * with more vCPUs (mode=cb) by a callback into that vCPU's own counters
 * (7.2's inline ops have no per-vCPU form and are not atomic).  A TB is
 * counted whole when it is entered: one that faults half way (a page
 * fault, an exception) is over-counted by the instructions it skipped.
 *
 * Marker: xchg %bx,%bx (66 87 db; a no-op, as Bochs' magic breakpoint),
 * matched in user-space code at translation time.  Each execution writes
 *   marker SEQ vcpu V pc 0xPC total T kernel K modules M user U
 * to FILE (opened with O_APPEND, one write(2) per line, so a reader sees
 * each line complete as soon as it is written), the counts being sums over
 * all vCPUs since the start.  At exit one line per vCPU:
 *   vcpu V total T kernel K modules M user U
 * and "exit markers N".  Without out=, the lines go to qemu's log
 * (-d plugin -D LOG).
 *
 * profile=PFILE (one vCPU only): every TB also counts its own executions
 * (an exec callback, slower than the inline add), and at each marker the
 * kernel TBs executed since the previous one are written to PFILE as
 *   prof SEQ VADDR INSNS     (INSNS = executions x the TB's length)
 * and their counts reset: a profile of each window by TB start address,
 * for mapping onto /proc/kallsyms.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { C_CORE, C_MODULES, C_USER, C_N };

/* Per-vCPU counters, one cache line each (mode=cb). */
struct vcpu_count {
	uint64_t n[C_N];
	uint64_t pad[8 - C_N];
};

static const uint8_t marker[] = { 0x66, 0x87, 0xdb };
static uint64_t mod_lo = 0xffffffffc0000000ULL, mod_hi = 0xffffffffff000000ULL;
static uint64_t inline_count[C_N];
static struct vcpu_count *per_vcpu;
static int n_vcpus;
static int use_inline;
static int out_fd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seq;

/* profile=: one record per translation of a kernel TB. */
struct tb_rec {
	uint64_t vaddr, n, execs;
	struct tb_rec *next;
};
static struct tb_rec *recs;
static FILE *prof;

static void tb_prof(unsigned int vcpu, void *udata)
{
	((struct tb_rec *)udata)->execs++;
	(void)vcpu;
}

static void prof_dump(uint64_t s)
{
	for (struct tb_rec *r = recs; r; r = r->next) {
		if (!r->execs)
			continue;
		fprintf(prof, "prof %" PRIu64 " 0x%" PRIx64 " %" PRIu64 "\n", s, r->vaddr,
			r->execs * r->n);
		r->execs = 0;
	}
	fflush(prof);
}

static void emit(const char *line)
{
	if (out_fd < 0) {
		qemu_plugin_outs(line);
		return;
	}
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t w = write(out_fd, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += w;
	}
}

static void sum(uint64_t n[C_N])
{
	memset(n, 0, sizeof(uint64_t) * C_N);
	if (use_inline) {
		for (int c = 0; c < C_N; c++)
			n[c] = __atomic_load_n(&inline_count[c], __ATOMIC_RELAXED);
		return;
	}
	for (int v = 0; v < n_vcpus; v++)
		for (int c = 0; c < C_N; c++)
			n[c] += __atomic_load_n(&per_vcpu[v].n[c], __ATOMIC_RELAXED);
}

static int classify(uint64_t va)
{
	if (!(va >> 63))
		return C_USER;
	if (va >= mod_lo && va < mod_hi)
		return C_MODULES;
	return C_CORE;
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	uintptr_t u = (uintptr_t)udata;

	if ((int)vcpu < n_vcpus)
		per_vcpu[vcpu].n[u & 3] += u >> 2;
}

static void marker_exec(unsigned int vcpu, void *udata)
{
	uint64_t n[C_N];
	char line[256];

	pthread_mutex_lock(&lock);
	sum(n);
	snprintf(line, sizeof(line),
		 "marker %" PRIu64 " vcpu %u pc 0x%" PRIx64 " total %" PRIu64
		 " kernel %" PRIu64 " modules %" PRIu64 " user %" PRIu64 "\n",
		 ++seq, vcpu, (uint64_t)(uintptr_t)udata,
		 n[C_CORE] + n[C_MODULES] + n[C_USER], n[C_CORE] + n[C_MODULES],
		 n[C_MODULES], n[C_USER]);
	emit(line);
	if (prof)
		prof_dump(seq);
	pthread_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	uint64_t va = qemu_plugin_tb_vaddr(tb);
	int c = classify(va);

	if (use_inline)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &inline_count[c], n);
	else
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)((n << 2) | c));
	if (prof && c != C_USER) {
		struct tb_rec *r = calloc(1, sizeof(*r));

		if (r) {
			r->vaddr = va;
			r->n = n;
			pthread_mutex_lock(&lock);
			r->next = recs;
			recs = r;
			pthread_mutex_unlock(&lock);
			qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_prof, QEMU_PLUGIN_CB_NO_REGS, r);
		}
	}
	if (c != C_USER)
		return;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, marker_exec, QEMU_PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
	}
	(void)id;
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	char line[256];
	uint64_t n[C_N];

	pthread_mutex_lock(&lock);
	for (int v = 0; v < (use_inline ? 1 : n_vcpus); v++) {
		if (use_inline)
			sum(n);
		else
			memcpy(n, per_vcpu[v].n, sizeof(n));
		snprintf(line, sizeof(line),
			 "%s %d total %" PRIu64 " kernel %" PRIu64 " modules %" PRIu64
			 " user %" PRIu64 "\n", use_inline ? "vcpus-inline" : "vcpu", v,
			 n[C_CORE] + n[C_MODULES] + n[C_USER], n[C_CORE] + n[C_MODULES],
			 n[C_MODULES], n[C_USER]);
		emit(line);
	}
	snprintf(line, sizeof(line), "exit markers %" PRIu64 "\n", seq);
	emit(line);
	pthread_mutex_unlock(&lock);
	(void)id;
	(void)udata;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *out = NULL, *mode = NULL, *pfile = NULL;
	char line[256];

	for (int i = 0; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v) {
			fprintf(stderr, "insncount: argument without '=': %s\n", argv[i]);
			return -1;
		}
		*v++ = '\0';
		if (!strcmp(argv[i], "out")) {
			out = v;
		} else if (!strcmp(argv[i], "profile")) {
			pfile = v;
		} else if (!strcmp(argv[i], "mode") && (!strcmp(v, "inline") || !strcmp(v, "cb"))) {
			mode = v;
		} else if (!strcmp(argv[i], "modules") &&
			   sscanf(v, "%" SCNx64 "-%" SCNx64, &mod_lo, &mod_hi) == 2 &&
			   mod_lo < mod_hi) {
			;
		} else {
			fprintf(stderr, "insncount: bad argument %s=%s\n", argv[i], v);
			return -1;
		}
	}
	n_vcpus = info->system_emulation ? info->system.max_vcpus : 1;
	if (n_vcpus < 1)
		n_vcpus = 1;
	use_inline = mode ? !strcmp(mode, "inline") : n_vcpus == 1;
	per_vcpu = calloc(n_vcpus, sizeof(*per_vcpu));
	if (!per_vcpu)
		return -1;
	if (out) {
		out_fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			fprintf(stderr, "insncount: %s: %s\n", out, strerror(errno));
			return -1;
		}
	}
	if (pfile) {
		if (n_vcpus != 1) {
			fprintf(stderr, "insncount: profile= needs one vCPU\n");
			return -1;
		}
		prof = fopen(pfile, "w");
		if (!prof) {
			fprintf(stderr, "insncount: %s: %s\n", pfile, strerror(errno));
			return -1;
		}
	}
	snprintf(line, sizeof(line),
		 "insncount %s vcpus %d counting %s modules 0x%" PRIx64 "-0x%" PRIx64 "\n",
		 info->target_name, n_vcpus, use_inline ? "inline" : "callback", mod_lo, mod_hi);
	emit(line);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
