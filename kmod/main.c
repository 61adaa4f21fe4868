// SPDX-License-Identifier: GPL-2.0
/*
 * podnet: an L3 overlay link for Kubernetes pod networks.
 */

#include <linux/module.h>

#include "device.h"
#include "netlink.h"
#include "peertable.h"
#include "socket.h"

static int __init pn_mod_init(void)
{
	int ret;

	ret = pn_peertable_init();
	if (ret)
		return ret;
	ret = pn_socket_init();
	if (ret)
		goto err_peertable;
	ret = pn_device_init();
	if (ret)
		goto err_socket;
	ret = pn_netlink_init();
	if (ret)
		goto err_device;

#ifdef PODNET_PLANT_WARN
	/* Only in the VM harness's self-test build: proves the dmesg scan. */
	WARN(1, "podnet: planted warning for the harness self-test\n");
#endif
	pr_info("podnet loaded\n");
	return 0;

err_device:
	pn_device_uninit();
err_socket:
	pn_socket_uninit();
err_peertable:
	pn_peertable_uninit();
	return ret;
}

static void __exit pn_mod_exit(void)
{
	pn_netlink_uninit();
	pn_device_uninit();
	pn_socket_uninit();
	pn_peertable_uninit();
	pr_info("podnet unloaded\n");
}

module_init(pn_mod_init);
module_exit(pn_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("podnet: L3 UDP-encapsulating overlay for pod networks");
MODULE_AUTHOR("The podnet authors");
MODULE_VERSION(PODNET_VERSION);
