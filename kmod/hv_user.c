// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds what: guest RAM and VMs per user, and the host's reserve.
 *
 * VMs outlive the processes that made them, so nothing the kernel keeps
 * per process (RLIMIT_AS, RLIMIT_MEMLOCK, the OOM killer's choice) bounds
 * them.  Three things do:
 *
 *  - the memory cgroup of the VM's creator: every page a VM holds is
 *    allocated with __GFP_ACCOUNT, and allocations made later in another
 *    context (copy-on-write copies on a managed vCPU's kernel thread,
 *    table pages added on a fault) name that cgroup with
 *    set_active_memcg(), as KVM does for its vCPU threads;
 *  - a per-user record (struct hv_user): guest RAM charged to a uid is
 *    bounded by user_mem_max, its VMs by user_vms_max.  uid 0 is exempt
 *    (the limits follow the uid that owns a VM, not the capabilities of
 *    whoever calls: a copy made on a kernel thread has no caller);
 *  - the host reserve, for everyone, root included: no request may leave
 *    the host less than mem_reserve available (MemAvailable).
 *
 * Guest RAM is charged to the user before it is allocated, for the
 * whole region, and uncharged when the VM goes.  A clone is charged its
 * full size to the source's owner at clone time (its pages are shared
 * until written, so this is an upper bound): a later copy-on-write copy
 * then never passes the per-user limit, only the cgroup's or the host
 * reserve, and a copy refused there stops only the guest that wrote.
 */
#include "hv.h"

#include <linux/cred.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static unsigned long user_mem_max;	/* MiB; 0: half the host's RAM */
module_param(user_mem_max, ulong, 0644);
MODULE_PARM_DESC(user_mem_max,
		 "Guest RAM one user (but root) may hold, MiB (0: half of RAM)");

static unsigned int user_vms_max = 64;
module_param(user_vms_max, uint, 0644);
MODULE_PARM_DESC(user_vms_max, "VMs one user (but root) may hold");

static unsigned long mem_reserve;	/* MiB; 0: max(64 MiB, RAM / 16) */
module_param(mem_reserve, ulong, 0644);
MODULE_PARM_DESC(mem_reserve,
		 "Memory no VM may take from the host, MiB (0: max(64, RAM/16))");

/*
 * One uid that holds (or is creating) VMs.  @ref: one per VM charged to
 * it, plus one while a creation is under way.  Everything is under
 * hv_users_lock.
 */
struct hv_user {
	struct list_head node;
	kuid_t uid;
	refcount_t ref;
	unsigned long pages;	/* guest RAM charged, in pages */
	unsigned int vms;
};

static LIST_HEAD(hv_users);
static DEFINE_SPINLOCK(hv_users_lock);

#define MIB_PAGES(mib)		((mib) << (20 - PAGE_SHIFT))

static unsigned long hv_user_mem_max_pages(void)
{
	unsigned long mib = READ_ONCE(user_mem_max);

	return mib ? MIB_PAGES(mib) : totalram_pages() / 2;
}

static unsigned long hv_reserve_pages(void)
{
	unsigned long mib = READ_ONCE(mem_reserve);

	if (mib)
		return MIB_PAGES(mib);
	return max(MIB_PAGES(64UL), totalram_pages() / 16);
}

static bool hv_user_exempt(const struct hv_user *u)
{
	return uid_eq(u->uid, GLOBAL_ROOT_UID);
}

static struct hv_user *hv_user_get(kuid_t uid)
{
	struct hv_user *u, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	spin_lock(&hv_users_lock);
	list_for_each_entry(u, &hv_users, node) {
		if (uid_eq(u->uid, uid)) {
			refcount_inc(&u->ref);
			spin_unlock(&hv_users_lock);
			kfree(new);
			return u;
		}
	}
	if (new) {
		new->uid = uid;
		refcount_set(&new->ref, 1);
		list_add(&new->node, &hv_users);
	}
	spin_unlock(&hv_users_lock);
	return new;
}

static void hv_user_put(struct hv_user *u)
{
	spin_lock(&hv_users_lock);
	if (!refcount_dec_and_test(&u->ref)) {
		spin_unlock(&hv_users_lock);
		return;
	}
	list_del(&u->node);
	spin_unlock(&hv_users_lock);
	WARN_ON_ONCE(u->pages || u->vms);
	kfree(u);
}

/* Would taking @pages more leave the host less than its reserve? */
bool hv_host_reserve_ok(unsigned long pages)
{
	long avail = si_mem_available();

	return avail >= 0 && (unsigned long)avail >= pages &&
	       (unsigned long)avail - pages >= hv_reserve_pages();
}

static int hv_user_charge_vm(struct hv_user *u)
{
	int r = 0;

	spin_lock(&hv_users_lock);
	if (!hv_user_exempt(u) && u->vms >= READ_ONCE(user_vms_max))
		r = -ENOMEM;
	else
		u->vms++;
	spin_unlock(&hv_users_lock);
	return r;
}

static void hv_user_uncharge_vm(struct hv_user *u)
{
	spin_lock(&hv_users_lock);
	u->vms--;
	spin_unlock(&hv_users_lock);
}

/* The caller's memory cgroup, referenced (NULL: memcg disabled). */
static struct mem_cgroup *hv_memcg_current(void)
{
	return get_mem_cgroup_from_mm(current->mm);
}

/*
 * At creation, before the VM's big allocations: the VM is the caller's
 * (its uid and its memory cgroup).  On failure hvk_vm_account_free()
 * undoes what was done.
 */
int hvk_vm_account_init(struct hvk_vm *vm)
{
	struct hv_user *u = hv_user_get(current_euid());
	int r;

	if (!u)
		return -ENOMEM;
	r = hv_user_charge_vm(u);
	if (r) {
		hv_user_put(u);
		return r;
	}
	vm->user = u;
	vm->memcg = hv_memcg_current();
	return 0;
}

void hvk_vm_account_free(struct hvk_vm *vm)
{
	struct hv_user *u = vm->user;

	if (u) {
		spin_lock(&hv_users_lock);
		u->pages -= vm->user_pages;
		spin_unlock(&hv_users_lock);
		vm->user_pages = 0;
		hv_user_uncharge_vm(u);
		hv_user_put(u);
		vm->user = NULL;
	}
	mem_cgroup_put(vm->memcg);
	vm->memcg = NULL;
}

/*
 * A clone belongs to its source's owner: charge the VM to the source's
 * user (its VM limit applies) and let later allocations go to the
 * source's cgroup.  Called before the clone holds any RAM.
 */
int hvk_vm_account_like(struct hvk_vm *dst, struct hvk_vm *src)
{
	struct hv_user *old = dst->user;
	int r;

	if (dst->user != src->user) {
		spin_lock(&hv_users_lock);
		refcount_inc(&src->user->ref);
		spin_unlock(&hv_users_lock);
		r = hv_user_charge_vm(src->user);
		if (r) {
			hv_user_put(src->user);
			return r;
		}
		dst->user = src->user;
		hv_user_uncharge_vm(old);
		hv_user_put(old);
	}
	if (src->memcg)
		css_get(&src->memcg->css);
	mem_cgroup_put(dst->memcg);
	dst->memcg = src->memcg;
	return 0;
}

/*
 * Charge @bytes of guest RAM to @vm's owner before allocating it:
 * -ENOMEM past the owner's limit or into the host's reserve.
 */
int hvk_vm_charge_ram(struct hvk_vm *vm, u64 bytes)
{
	unsigned long n = bytes >> PAGE_SHIFT;
	struct hv_user *u = vm->user;
	int r = 0;

	if (!hv_host_reserve_ok(n))
		return -ENOMEM;
	spin_lock(&hv_users_lock);
	if (!hv_user_exempt(u) &&
	    (u->pages > hv_user_mem_max_pages() ||
	     n > hv_user_mem_max_pages() - u->pages))
		r = -ENOMEM;
	else
		u->pages += n;
	spin_unlock(&hv_users_lock);
	if (!r)
		vm->user_pages += n;
	return r;
}

void hvk_vm_uncharge_ram(struct hvk_vm *vm, u64 bytes)
{
	unsigned long n = bytes >> PAGE_SHIFT;

	spin_lock(&hv_users_lock);
	vm->user->pages -= n;
	spin_unlock(&hv_users_lock);
	vm->user_pages -= n;
}

void hv_user_usage(struct hv_usage *out)
{
	kuid_t uid = current_euid();
	struct hv_user *u;
	long avail = si_mem_available();

	memset(out, 0, sizeof(*out));
	out->uid = from_kuid_munged(current_user_ns(), uid);
	out->mem_max = (u64)hv_user_mem_max_pages() << PAGE_SHIFT;
	out->vms_max = READ_ONCE(user_vms_max);
	out->host_available = avail > 0 ? (u64)avail << PAGE_SHIFT : 0;
	out->host_reserve = (u64)hv_reserve_pages() << PAGE_SHIFT;
	if (uid_eq(uid, GLOBAL_ROOT_UID))
		out->flags |= HV_USAGE_EXEMPT;
	spin_lock(&hv_users_lock);
	list_for_each_entry(u, &hv_users, node) {
		if (uid_eq(u->uid, uid)) {
			out->mem_used = (u64)u->pages << PAGE_SHIFT;
			out->vms = u->vms;
			break;
		}
	}
	spin_unlock(&hv_users_lock);
}
