# SPDX-License-Identifier: GPL-2.0
# bash completion for hvctl: commands, each command's options, VM names
# (from `hvctl list`) where a command takes one, files where it takes one.
# Everything comes from hvctl itself (`hvctl help`, `hvctl help CMD`), so
# the completion follows the command table without a list of its own.

_hvctl_commands()
{
	"$1" help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p'
}

# The options in CMD's usage line ("hvctl help CMD" prints it first).
_hvctl_options()
{
	"$1" help "$2" 2>/dev/null | sed -n '1p' | grep -o -- '--[a-z][a-z-]*' | sort -u
	echo --help
}

_hvctl_vm_names()
{
	"$1" list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_hvctl()
{
	local hvctl=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]} cmd=${COMP_WORDS[1]}
	local i npos=0

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_hvctl_commands "$hvctl") --help --version" -- "$cur"))
		return 0
	fi
	case $prev in
	--image|--multiboot|--module|--incremental|--kernel|--initrd)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--on-reboot)
		COMPREPLY=($(compgen -W "restart stop" -- "$cur"))
		return 0 ;;
	--sort)
		COMPREPLY=($(compgen -W "exits name" -- "$cur"))
		return 0 ;;
	--mem|--vcpus|--cmdline|--count|--name|--vcpu|--listen|--interval)
		return 0 ;;		# a value of the user's own
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_hvctl_options "$hvctl" "$cmd")" -- "$cur"))
		return 0
	fi
	# Which positional argument this is (options and their values skipped).
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--image|--multiboot|--module|--incremental|--kernel|--initrd|--mem|--vcpus|--cmdline|--count|--name|--on-reboot|--vcpu|--listen|--interval|--sort)
			((i++)) ;;
		-*) ;;
		*) ((npos++)) ;;
		esac
	done
	case $cmd in
	help)
		[ $npos -eq 0 ] &&
			COMPREPLY=($(compgen -W "$(_hvctl_commands "$hvctl")" -- "$cur")) ;;
	info|start|stop|pause|resume|destroy|console|clone|stat|trace|gdb)
		[ $npos -eq 0 ] &&
			COMPREPLY=($(compgen -W "$(_hvctl_vm_names "$hvctl")" -- "$cur")) ;;
	snapshot)
		if [ $npos -eq 0 ]; then
			COMPREPLY=($(compgen -W "$(_hvctl_vm_names "$hvctl")" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	restore)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}
complete -F _hvctl hvctl
