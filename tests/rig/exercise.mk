# SPDX-License-Identifier: GPL-2.0
#
# The exercises (docs/exercises/), included by the top Makefile.
#
#   make exercise N=01 [VENDOR=amd|intel]
#                   build the module of this tree (the student's kmod/)
#                   and run exercise 01's test in the emulated machines,
#                   both vendors unless VENDOR says one; PASS or FAIL
#                   with a hint (tests/exercises/run)
#
# For CI, vmtest's case ex-check (tests/vm/cases-ex.sh) needs the module
# with every reference solution (tests/exercises/*.patch) applied, built
# from a scratch copy of kmod/ (tests/exercises/build-solved).

EX_SOLVED_DIR := build/ex-solved
EX_SOLVED_KO  := $(EX_SOLVED_DIR)/kmod/hv.ko
export VMTEST_EX_SOLVED := $(CURDIR)/$(EX_SOLVED_KO)

# A solution that no longer applies or builds fails ex-check (the module
# is then missing from the machines), not every other case: hence "-".
$(EX_SOLVED_KO): $(wildcard Kbuild kmod/Kbuild kmod/*.[chS] kmod/*/*.[chS] \
		include/uapi/*.h tests/exercises/*.patch) tests/exercises/build-solved
	-tests/exercises/build-solved $(KDIR) $(EX_SOLVED_DIR)

# Only for a run that has ex-check (all cases, or named); never for a
# student's `make exercise` (EX_STUDENT=1): their kmod/ is not ours to patch.
EX_WANT := $(if $(VMTEST_CASES),$(findstring ex-check,$(VMTEST_CASES)),yes)
ifneq ($(EX_STUDENT),1)
ifneq ($(EX_WANT),)
vmtest vmtest-amd vmtest-intel vmtest-nosvm: $(EX_SOLVED_KO)
endif
endif

.PHONY: exercise
exercise:
	@MAKE="$(MAKE)" tests/exercises/run "$(N)" "$(VENDOR)"
