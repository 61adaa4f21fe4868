// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer against the host kernel's own generic netlink family,
 * "nlctrl", which exists everywhere: family resolution, extended acks,
 * dumps and pipelined batches.  Skipped where netlink sockets are not
 * allowed.
 */

#include <errno.h>
#include <string.h>

#include "nl.h"
#include "unit.h"

static int open_ctrl(struct pn_genl *g)
{
	struct pn_nl_err e;

	if (pn_genl_open(g, "nlctrl", &e) < 0) {
		if (e.err == EPERM || e.err == EACCES || e.err == EAFNOSUPPORT ||
		    e.err == EPROTONOSUPPORT)
			return -1;
		fail_msg("cannot resolve nlctrl: %s", e.msg);
	}
	return 0;
}

static void test_resolve(void **state)
{
	struct pn_genl g;
	struct pn_nl_err e;
	unsigned int i;
	bool notify = false;

	(void)state;
	if (open_ctrl(&g))
		skip();
	assert_int_equal(g.id, GENL_ID_CTRL);
	assert_true(g.version >= 1);
	for (i = 0; i < g.n_groups; i++)
		notify |= !strcmp(g.groups[i].name, "notify");
	assert_true(notify);
	assert_int_equal(pn_genl_join(&g, "notify", &e), 0);
	assert_int_equal(pn_genl_join(&g, "nosuchgroup", &e), -1);
	assert_int_equal(e.err, ENOENT);
	assert_contains(e.msg, "has no multicast group \"nosuchgroup\"");
	pn_genl_close(&g);

	assert_int_equal(pn_genl_open(&g, "podnet-nosuch", &e), -1);
	assert_int_equal(e.err, ENOENT);
	assert_string_equal(e.msg, "generic netlink family \"podnet-nosuch\" not found "
				   "(is the podnet-nosuch module loaded?)");
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

static void test_dump_and_extack(void **state)
{
	char buf[512], name[64];
	struct nlmsghdr *nlh;
	struct pn_nl_err e;
	struct pn_genl g;
	int n = 0;

	(void)state;
	if (open_ctrl(&g))
		skip();
	memset(buf, 0, sizeof(buf));
	nlh = pn_genl_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_DUMP);
	assert_int_equal(pn_genl_request(&g, nlh, count_cb, &n, &e), 0);
	assert_true(n >= 1);

	/* A name longer than the policy allows: EINVAL, with an extack. */
	memset(buf, 0, sizeof(buf));
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	nlh = pn_genl_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	assert_int_equal(pn_genl_request(&g, nlh, NULL, NULL, &e), -1);
	assert_int_equal(e.err, EINVAL);
	assert_true(e.msg[0] != '\0');		/* the kernel's policy message */
	assert_int_equal(e.offs, 20);		/* the attribute, right after the headers */

	/* The socket is still usable after an error. */
	memset(buf, 0, sizeof(buf));
	nlh = pn_genl_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	n = 0;
	assert_int_equal(pn_genl_request(&g, nlh, count_cb, &n, &e), 0);
	assert_int_equal(n, 1);
	pn_genl_close(&g);
}

static void test_batch(void **state)
{
	static const char *const names[] = { "nlctrl", "nlctrl", "podnet-nosuch", "nlctrl" };
	char buf[1024];
	struct pn_nl_err e;
	struct pn_genl g;
	size_t used = 0, i, failed;

	(void)state;
	if (open_ctrl(&g))
		skip();
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < COUNT(names); i++) {
		struct nlmsghdr *nlh = pn_genl_msg_start(buf + used, GENL_ID_CTRL,
							 CTRL_CMD_GETFAMILY, 1, 0);

		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, names[i]);
		used += MNL_ALIGN(nlh->nlmsg_len);
	}
	/* The third fails; the batch reports it by index. */
	assert_int_equal(pn_genl_send_batch(&g, buf, used, COUNT(names), &failed, &e), -1);
	assert_int_equal(failed, 2);
	assert_int_equal(e.err, ENOENT);

	/* Only the good ones: success, and the next request still lines up. */
	assert_int_equal(pn_genl_send_batch(&g, buf, used / 2, 2, &failed, &e), 0);
	assert_int_equal(failed, 2);	/* n: no failure */
	memset(buf, 0, sizeof(buf));
	{
		struct nlmsghdr *nlh = pn_genl_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
							 1, 0);
		int n = 0;

		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
		assert_int_equal(pn_genl_request(&g, nlh, count_cb, &n, &e), 0);
		assert_int_equal(n, 1);
	}
	pn_genl_close(&g);
}

const struct CMUnitTest nl_tests[] = {
	cmocka_unit_test(test_resolve),
	cmocka_unit_test(test_dump_and_extack),
	cmocka_unit_test(test_batch),
};
const size_t nl_count = COUNT(nl_tests);
