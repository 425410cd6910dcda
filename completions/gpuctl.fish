# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gpuctl_global_optspecs
    string join \n db= o/output= no-headers color= q/quiet v/verbose h/help V/version
end

function __fish_gpuctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gpuctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gpuctl_using_subcommand
    set -l cmd (__fish_gpuctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gpuctl -n "__fish_gpuctl_needs_command" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_needs_command" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_needs_command" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "node" -d 'Kubernetes nodes: inventory and full change history'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "device" -d 'GPUs of the inventory, keyed by UUID'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "model" -d 'The GPU model catalogue: memory, TDP, MIG profiles, hourly cost'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "mig" -d 'MIG mode and GPU instances'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "alloc" -d 'Leases of GPUs and MIG instances'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "optimize" -d 'Expire leases, recompute GPU counts, flag silent GPUs, report fragmentation (for cron)'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "alert" -d 'Alerts raised by collect, and the rules that raise them'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "db" -d 'Store maintenance: retention, pruning, vacuum, backup'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "report" -d 'Reports over a time window: lease cost and energy, idle leases, utilisation'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "collect" -d 'Read the GPUs of this node and store their metrics (cron: every minute)'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "demo" -d 'Fill a separate demo store with a realistic fleet and show its dashboard'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "dashboard" -d 'The fleet at a glance; subcommands for each view'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "doctor" -d 'Check the store, the GPU sources and the last collect; exit 6 on a GPU node without one'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "export" -d 'Export data for other systems'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c gpuctl -n "__fish_gpuctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "list" -d 'List nodes: search, filter, sort and page'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "ls" -d 'List nodes: search, filter, sort and page'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "show" -d 'Show every field of a node, its GPUs and its latest history'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "add" -d 'Add a node to the inventory'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "update" -d 'Change some fields of a node; only the given ones change'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "set-status" -d 'Set a node\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "remove" -d 'Remove a node (refused while it has GPUs or leases, unless --force)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "rm" -d 'Remove a node (refused while it has GPUs or leases, unless --force)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "history" -d 'Every change to a node, newest first; readable after removal'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "recent" -d 'Nodes changed recently, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "import" -d 'Create or update nodes from \'kubectl get nodes -o json\' output'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "sync" -d 'Run \'kubectl get nodes -o json\' and import what it prints'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "drift" -d 'Show where the inventory and a cluster disagree, writing nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and not __fish_seen_subcommand_from list ls show add update set-status remove rm history recent import sync drift help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s s -l search -d 'Case-insensitive text to find in name, cluster, IP or label values' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l status -d 'Only nodes in this status' -r -f -a "ready\t''
not-ready\t''
maintenance\t''
cordoned\t''
decommissioned\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l cluster -d 'Only nodes of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s l -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l sort -d 'Sort by name, cluster, status, created, updated or gpus' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l changed-since -d 'Only nodes changed within this duration (e.g. 24h)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l desc -d 'Sort in descending order'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s s -l search -d 'Case-insensitive text to find in name, cluster, IP or label values' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l status -d 'Only nodes in this status' -r -f -a "ready\t''
not-ready\t''
maintenance\t''
cordoned\t''
decommissioned\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l cluster -d 'Only nodes of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s l -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l sort -d 'Sort by name, cluster, status, created, updated or gpus' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l changed-since -d 'Only nodes changed within this duration (e.g. 24h)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l desc -d 'Sort in descending order'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l cluster -d 'Cluster the node belongs to' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l status -d 'Initial status' -r -f -a "ready\t''
not-ready\t''
maintenance\t''
cordoned\t''
decommissioned\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l ip -d 'IPv4 or IPv6 address' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l role -d 'Role, e.g. worker or control-plane' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s l -l label -d 'Set a label (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l gpus -d 'Declared GPU capacity (devices, once added, take over)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l os -d 'Operating system' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l kernel -d 'Kernel version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l driver -d 'NVIDIA driver version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l cuda -d 'CUDA version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l kubelet -d 'Kubelet version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l cluster -d 'Move the node to another cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l unlabel -d 'Remove a label (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l ip -d 'IPv4 or IPv6 address' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l role -d 'Role, e.g. worker or control-plane' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s l -l label -d 'Set a label (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l gpus -d 'Declared GPU capacity (devices, once added, take over)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l os -d 'Operating system' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l kernel -d 'Kernel version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l driver -d 'NVIDIA driver version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l cuda -d 'CUDA version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l kubelet -d 'Kubelet version' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from set-status" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -l force -d 'Also remove its GPUs and end its active leases'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -l force -d 'Also remove its GPUs and end its active leases'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l since -d 'Only changes within this duration (e.g. 7d)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l limit -d 'Show at most N changes per page [default: 100]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l since -d 'Window to look back over' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from recent" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l cluster -d 'Cluster of the imported nodes (required for nodes new to the inventory)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l dry-run -d 'Print the plan, write nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l prune -d 'Mark nodes of --cluster missing from the input as decommissioned'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l cluster -d 'Cluster to sync' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l context -d 'kubeconfig context to use' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l kubeconfig -d 'kubeconfig file to use' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l kubectl -d 'The kubectl binary' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l kubectl-timeout -d 'Kill kubectl and fail (exit 1) when it runs longer than this' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l dry-run -d 'Print the plan, write nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l prune -d 'Mark nodes missing from the cluster as decommissioned'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from sync" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l cluster -d 'Cluster to compare' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l context -d 'kubeconfig context to use' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l kubeconfig -d 'kubeconfig file to use' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l kubectl -d 'The kubectl binary' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l kubectl-timeout -d 'Kill kubectl and fail (exit 1) when it runs longer than this' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from drift" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "list" -d 'List nodes: search, filter, sort and page'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show every field of a node, its GPUs and its latest history'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a node to the inventory'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change some fields of a node; only the given ones change'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "set-status" -d 'Set a node\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a node (refused while it has GPUs or leases, unless --force)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "history" -d 'Every change to a node, newest first; readable after removal'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "recent" -d 'Nodes changed recently, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "import" -d 'Create or update nodes from \'kubectl get nodes -o json\' output'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Run \'kubectl get nodes -o json\' and import what it prints'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "drift" -d 'Show where the inventory and a cluster disagree, writing nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "list" -d 'List GPUs: filter by node, cluster, model, status, free or allocated'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "ls" -d 'List GPUs: filter by node, cluster, model, status, free or allocated'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "show" -d 'Show a GPU with its MIG instances and lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "add" -d 'Add a GPU to a node'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "update" -d 'Change some fields of a GPU'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "set-status" -d 'Set a GPU\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "remove" -d 'Remove a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "rm" -d 'Remove a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and not __fish_seen_subcommand_from list ls show add update set-status remove rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l node -d 'Only GPUs of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l cluster -d 'Only GPUs of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l model -d 'Only GPUs of this model (name or alias)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l status -d 'Only GPUs in this status' -r -f -a "active\t''
maintenance\t''
faulty\t''
retired\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l free -d 'Only active, whole GPUs without a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l allocated -d 'Only GPUs with an active lease (whole or on a MIG instance)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l node -d 'Only GPUs of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l cluster -d 'Only GPUs of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l model -d 'Only GPUs of this model (name or alias)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l status -d 'Only GPUs in this status' -r -f -a "active\t''
maintenance\t''
faulty\t''
retired\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l free -d 'Only active, whole GPUs without a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l allocated -d 'Only GPUs with an active lease (whole or on a MIG instance)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l node -d 'Node the GPU is in' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l index -d 'Index on the node (as nvidia-smi numbers it)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l model -d 'Model name or alias' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l serial -d 'Board serial number' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l pci-bus-id -d 'PCI bus id, e.g. 00000000:17:00.0' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l status -d 'Initial status' -r -f -a "active\t''
maintenance\t''
faulty\t''
retired\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l index -d 'Index on the node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l model -d 'Model name or alias' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l serial -d 'Board serial number' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l pci-bus-id -d 'PCI bus id' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from set-status" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "list" -d 'List GPUs: filter by node, cluster, model, status, free or allocated'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a GPU with its MIG instances and lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a GPU to a node'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change some fields of a GPU'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "set-status" -d 'Set a GPU\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "list" -d 'List the GPU models of the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "ls" -d 'List the GPU models of the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "show" -d 'Show a model with its aliases and MIG profiles'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "add" -d 'Add a model to the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "update" -d 'Change some fields of a model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "remove" -d 'Remove a model (refused while GPUs use it)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "rm" -d 'Remove a model (refused while GPUs use it)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and not __fish_seen_subcommand_from list ls show add update remove rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l memory-mib -d 'Memory in MiB' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l architecture -d 'Architecture, e.g. Hopper' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l tdp-w -d 'TDP in watts' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l hourly-cost -d 'What one GPU of this model costs per hour (for cost reports)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l alias -d 'Add an alias (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l memory-mib -d 'Memory in MiB' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l unalias -d 'Remove an alias (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l architecture -d 'Architecture, e.g. Hopper' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l tdp-w -d 'TDP in watts' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l hourly-cost -d 'What one GPU of this model costs per hour (for cost reports)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l alias -d 'Add an alias (repeatable)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l clear-hourly-cost -d 'Forget the hourly cost'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the GPU models of the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a model with its aliases and MIG profiles'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a model to the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change some fields of a model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a model (refused while GPUs use it)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "enable" -d 'Turn MIG mode on for a GPU (refused while it is leased whole)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "disable" -d 'Turn MIG mode off (refused while it has GPU instances)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "create" -d 'Create GPU instances of a profile, if the GPU can hold them'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "list" -d 'List GPU instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "ls" -d 'List GPU instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "destroy" -d 'Destroy a GPU instance, or every instance of a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and not __fish_seen_subcommand_from enable disable create list ls destroy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -l count -d 'How many instances (all or none are created)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l device -d 'Only instances of this GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l node -d 'Only instances on this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l device -d 'Only instances of this GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l node -d 'Only instances on this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -l device -d 'The GPU whose instances to destroy (with --all): UUID, or a unique prefix of one' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -l all -d 'Destroy every instance of --device'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from destroy" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Turn MIG mode on for a GPU (refused while it is leased whole)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Turn MIG mode off (refused while it has GPU instances)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create GPU instances of a profile, if the GPU can hold them'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "list" -d 'List GPU instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "destroy" -d 'Destroy a GPU instance, or every instance of a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand mig; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "create" -d 'Lease GPUs or MIG instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "release" -d 'End a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "extend" -d 'Move an active lease\'s end: later by a duration, or to a time'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "list" -d 'List leases (active by default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "ls" -d 'List leases (active by default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "show" -d 'Show a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and not __fish_seen_subcommand_from create release extend list ls show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l device -d 'This GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l node -d 'Any free GPU of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l cluster -d 'Any free GPU of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l model -d 'Only GPUs of this model (name or alias)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l mig-profile -d 'Lease MIG instances of this profile instead of whole GPUs' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l count -d 'How many GPUs or instances (all or none)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l owner -d 'Who holds the lease' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l namespace -d 'Kubernetes namespace' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l workload -d 'Pod or workload name' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l for -d 'For how long, e.g. 4h' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l until -d 'Until when (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l allow-unhealthy -d 'Also lease GPUs with an open critical alert or that stopped reporting'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -l reason -d 'Why; kept in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from release" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l by -l for -d 'Add this much to the lease\'s current end, e.g. 2h' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l until -d 'Set the end (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC); earlier than the current end needs --allow-shorten' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l allow-shorten -d 'Let --until end an active lease earlier than it now ends'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from extend" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l owner -d 'Only leases of this owner' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l namespace -d 'Only leases in this namespace' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l node -d 'Only leases on this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l cluster -d 'Only leases in this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l active -d 'Only active leases (the default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l expired -d 'Only expired leases'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l all -d 'Leases in every state'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l owner -d 'Only leases of this owner' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l namespace -d 'Only leases in this namespace' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l node -d 'Only leases on this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l cluster -d 'Only leases in this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l active -d 'Only active leases (the default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l expired -d 'Only expired leases'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l all -d 'Leases in every state'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "create" -d 'Lease GPUs or MIG instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "release" -d 'End a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "extend" -d 'Move an active lease\'s end: later by a duration, or to a time'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "list" -d 'List leases (active by default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alloc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l stale-after -d 'Flag GPUs of ready nodes not sampled for this long' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l notify-timeout -d 'After the run, deliver pending alert transitions for at most this long (0s: leave them to \'gpuctl alert notify\'); a receiver that fails is a warning, not a failed run' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l dry-run -d 'Print the plan and write nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand optimize" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "list" -d 'List alerts, most severe first (open ones unless --state or --all)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "ls" -d 'List alerts, most severe first (open ones unless --state or --all)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "show" -d 'Show one alert'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "ack" -d 'Acknowledge an alert: it stays open, marked as seen'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "resolve" -d 'Resolve an alert by hand'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "rules" -d 'List or tune the alert rules'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "receivers" -d 'Where alert transitions are delivered: Alertmanager (API v2) or webhooks'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "notify" -d 'Deliver pending alert transitions now, and send open alerts to Alertmanager again'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and not __fish_seen_subcommand_from list ls show ack resolve rules receivers notify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l state -d 'Only alerts in this state' -r -f -a "firing\t''
acknowledged\t''
resolved\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l severity -d 'Only alerts of this severity' -r -f -a "info\t''
warning\t''
critical\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l node -d 'Only alerts of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l device -d 'Only alerts of this GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l all -d 'Include resolved alerts'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l state -d 'Only alerts in this state' -r -f -a "firing\t''
acknowledged\t''
resolved\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l severity -d 'Only alerts of this severity' -r -f -a "info\t''
warning\t''
critical\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l node -d 'Only alerts of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l device -d 'Only alerts of this GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l all -d 'Include resolved alerts'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -l note -d 'A note kept with the alert and in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from ack" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -l note -d 'A note kept with the alert and in the history' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from resolve" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List the rules (the default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -f -a "set" -d 'Change a rule\'s threshold, duration or severity'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -f -a "enable" -d 'Turn a rule on'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -f -a "disable" -d 'Turn a rule off'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from rules" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "list" -d 'List the receivers and how their delivery stands (the default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "ls" -d 'List the receivers and how their delivery stands (the default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "add" -d 'Add a receiver: an Alertmanager or a webhook'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "remove" -d 'Remove a receiver; transitions waiting only for it are dropped'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "rm" -d 'Remove a receiver; transitions waiting only for it are dropped'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "test" -d 'Send a receiver a test alert (alertname gpuctl-test, severity info, for 5 minutes)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from receivers" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -l timeout -d 'Give up after this long, all receivers together (they are tried at once)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -l retry-now -d 'Also try the receivers that are waiting out a backoff'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from notify" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "list" -d 'List alerts, most severe first (open ones unless --state or --all)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one alert'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "ack" -d 'Acknowledge an alert: it stays open, marked as seen'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "resolve" -d 'Resolve an alert by hand'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "rules" -d 'List or tune the alert rules'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "receivers" -d 'Where alert transitions are delivered: Alertmanager (API v2) or webhooks'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "notify" -d 'Deliver pending alert transitions now, and send open alerts to Alertmanager again'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -f -a "retention" -d 'Show, or set, how long raw samples and hourly rollups are kept'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -f -a "prune" -d 'Roll up complete hours and delete data past retention, now'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -f -a "vacuum" -d 'Rebuild the store file to give free space back to the filesystem'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -f -a "backup" -d 'Copy the store to PATH, consistently, even while others write to it'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and not __fish_seen_subcommand_from retention prune vacuum backup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -l raw -d 'Keep raw (per-collect) samples this long [default: 14d]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -l hourly -d 'Keep hourly rollups this long [default: 400d]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from retention" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from vacuum" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from backup" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "retention" -d 'Show, or set, how long raw samples and hourly rollups are kept'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Roll up complete hours and delete data past retention, now'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "vacuum" -d 'Rebuild the store file to give free space back to the filesystem'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Copy the store to PATH, consistently, even while others write to it'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -f -a "cost" -d 'GPU-hours leased x model hourly cost, plus energy x price, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -f -a "idle" -d 'Leased or pod-held GPUs that stayed below a utilisation threshold, with the cost wasted'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -f -a "utilization" -d 'GPU-hours available vs leased vs used, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and not __fish_seen_subcommand_from cost idle utilization help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l since -d 'Cover the last DURATION, up to now (default: 30d; report idle: 24h)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l from -d 'Window start (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l to -d 'Window end, exclusive [default: now]; a time past now counts as now' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l by -d 'Group rows by' -r -f -a "owner\t''
namespace\t''
cluster\t''
model\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l energy-price -d 'Price of one kWh, in the unit of the models\' hourly cost; energy cost is null without it' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from cost" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l since -d 'Cover the last DURATION, up to now (default: 30d; report idle: 24h)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l from -d 'Window start (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l to -d 'Window end, exclusive [default: now]; a time past now counts as now' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l threshold -d 'Average GPU utilisation (percent, 0-100) below which a lease counts as idle' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l limit -d 'Show at most N rows per page [default: all; 50 with --page]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from idle" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l since -d 'Cover the last DURATION, up to now (default: 30d; report idle: 24h)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l from -d 'Window start (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l to -d 'Window end, exclusive [default: now]; a time past now counts as now' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l by -d 'Group rows by' -r -f -a "cluster\t''
model\t''
node\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from utilization" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "cost" -d 'GPU-hours leased x model hourly cost, plus energy x price, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "idle" -d 'Leased or pod-held GPUs that stayed below a utilisation threshold, with the cost wasted'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "utilization" -d 'GPU-hours available vs leased vs used, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l source -d 'Where to read the GPUs' -r -f -a "auto\t'NVML, then nvidia-smi'
nvml\t''
nvidia-smi\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l smi-command -d 'The nvidia-smi binary' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l smi-timeout -d 'Kill nvidia-smi and fail the run (exit 6) when it runs longer than this; with --every, never longer than the period' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l input -d 'Replay a recorded \'nvidia-smi --query-gpu=... --format=csv\' file instead of reading GPUs; a directory replays each NODE.csv in it as node NODE, all in one transaction' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l node -d 'This node\'s name in the inventory [default: the host name]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l cluster -d 'This node\'s cluster (a node is known by cluster and name) [default: the cluster of the one node of this name, else `default` for a new node]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l textfile -d 'Also write DIR/gpuctl.prom for node_exporter\'s textfile collector: the collected node\'s GPUs (none for a fleet collect) and gpuctl\'s health series' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l every -d 'Repeat every DURATION until SIGTERM or SIGINT (for containers without cron; a fleet collect runs from a timer instead)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l notify-timeout -d 'After the run, deliver pending alert transitions for at most this long (0s: leave them to \'gpuctl alert notify\'); a receiver that fails is a warning, not a failed run' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l from-prometheus -d 'Read every node\'s GPUs from this Prometheus (its dcgm-exporter series)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l scrape -d 'Read dcgm-exporter (or gpuctl) /metrics endpoints directly; repeatable' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l selector -d 'Only series this selector picks, e.g. \'{job="dcgm-exporter"}\'' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l node-label -d 'The label that names the node [default: the first present of kubernetes_node, node, nodename, Hostname, hostname]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l cluster-label -d 'The label that names the cluster (when --cluster is not given)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l max-age -d 'Only samples newer than this count as current; in --textfile, a GPU with no newer sample is stale (no gauges, gpuctl_gpu_stale 1)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l backfill -d 'Also fetch this much history at a one-minute step (with --from-prometheus)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l timeout -d 'Give up on a request after this long' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l ca-file -d 'Trust this PEM file of CA certificates besides the system\'s' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l bearer-token-file -d 'Send the bearer token in FILE' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l basic-auth-user -d 'Basic-auth user; the password comes from --basic-auth-password-file or the GPUCTL_BASIC_AUTH_PASSWORD environment variable' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l basic-auth-password-file -d 'The basic-auth password, in a file' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l all-nodes -d 'With --textfile: every node\'s GPUs and state in the store, not only the collected node\'s'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand collect" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l nodes -d 'Nodes in the fleet' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l gpus-per-node -d 'GPUs per node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l days -d 'Days of per-minute samples' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l seed -d 'Random seed: the same seed gives the same fleet' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l db -d 'Demo store path [default: $XDG_DATA_HOME/gpuctl/demo.db]; GPUCTL_DB is not read' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand demo" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "stats" -d 'Nodes, GPUs, MIG, usage over the latest samples, and active alerts'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "clusters" -d 'The same statistics per cluster'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "models" -d 'The same statistics per GPU model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "trends" -d 'Utilisation, memory, temperature and power over time, per bucket'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "alerts" -d 'Active alerts, most severe first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "activity" -d 'Recent events of every kind, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "realtime" -d 'The latest sample of every GPU; old samples are marked stale'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and not __fish_seen_subcommand_from stats clusters models trends alerts activity realtime help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from clusters" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from models" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l since -d 'Window to chart' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l bucket -d 'Bucket size [default: the shortest of 1m, 5m, 15m, 1h, 6h, 1d, 7d, 30d that gives at most 60 buckets] (whole hours read hourly rollups where they exist)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l cluster -d 'Only this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l node -d 'Only this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l model -d 'Only this GPU model' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l device -d 'Only this GPU (UUID, or a unique prefix of one)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from trends" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -l limit -d 'Show at most N alerts per page [default: 50]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from alerts" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -l page -d 'Which page of --limit rows to show, from 1' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -l limit -d 'Show at most N events per page [default: 20]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from activity" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l watch -d 'Redraw every INTERVAL until Ctrl-C (terminals only)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l interval -d 'How often collect runs; samples older than 3 intervals are stale' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l node -d 'Only GPUs of this node' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l cluster -d 'Only GPUs of this cluster' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l model -d 'Only GPUs of this model (name or alias)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l sort -d 'Order by node (and index), or by util, memory, temp or power (highest first), or age (stalest first)' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from realtime" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Nodes, GPUs, MIG, usage over the latest samples, and active alerts'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "clusters" -d 'The same statistics per cluster'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "models" -d 'The same statistics per GPU model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "trends" -d 'Utilisation, memory, temperature and power over time, per bucket'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "alerts" -d 'Active alerts, most severe first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "activity" -d 'Recent events of every kind, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "realtime" -d 'The latest sample of every GPU; old samples are marked stale'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand dashboard; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l smi-command -d 'The nvidia-smi binary to check' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l smi-timeout -d 'Kill nvidia-smi (and report it) when it runs longer than this' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l require-gpu -d 'Exit 6 without a usable GPU source even where the store shows no local collect'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -s h -l help -d 'Print help'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -f -a "prometheus" -d 'Print the latest sample of a node\'s GPUs in Prometheus text format (dcgm-exporter names)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and not __fish_seen_subcommand_from prometheus help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l node -d 'Only this node\'s GPUs and state (NAME, or CLUSTER/NAME) [default: the node named like this host if the store has exactly one such node, else every node]' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l max-age -d 'A GPU whose latest sample is older than this is exported as stale, without gauges' -r
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l db -d 'Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]' -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l all-nodes -d 'Every node\'s GPUs and state (a fleet store: let only one exporter publish them)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from prometheus" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "prometheus" -d 'Print the latest sample of a node\'s GPUs in Prometheus text format (dcgm-exporter names)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -l db -r -F
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
csv\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -l color -d 'When to colour tables (NO_COLOR is honoured by auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -l no-headers -d 'Omit table headers, footers and the CSV header row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -s q -l quiet -d 'Print nothing but data and errors'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -s v -l verbose -d 'Say more about what is being done'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "node" -d 'Kubernetes nodes: inventory and full change history'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "device" -d 'GPUs of the inventory, keyed by UUID'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "model" -d 'The GPU model catalogue: memory, TDP, MIG profiles, hourly cost'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "mig" -d 'MIG mode and GPU instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "alloc" -d 'Leases of GPUs and MIG instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "optimize" -d 'Expire leases, recompute GPU counts, flag silent GPUs, report fragmentation (for cron)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "alert" -d 'Alerts raised by collect, and the rules that raise them'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "db" -d 'Store maintenance: retention, pruning, vacuum, backup'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "report" -d 'Reports over a time window: lease cost and energy, idle leases, utilisation'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "collect" -d 'Read the GPUs of this node and store their metrics (cron: every minute)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "demo" -d 'Fill a separate demo store with a realistic fleet and show its dashboard'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "dashboard" -d 'The fleet at a glance; subcommands for each view'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "doctor" -d 'Check the store, the GPU sources and the last collect; exit 6 on a GPU node without one'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "export" -d 'Export data for other systems'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and not __fish_seen_subcommand_from node device model mig alloc optimize alert db report collect demo dashboard doctor export completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "list" -d 'List nodes: search, filter, sort and page'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "show" -d 'Show every field of a node, its GPUs and its latest history'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "add" -d 'Add a node to the inventory'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "update" -d 'Change some fields of a node; only the given ones change'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "set-status" -d 'Set a node\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "remove" -d 'Remove a node (refused while it has GPUs or leases, unless --force)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "history" -d 'Every change to a node, newest first; readable after removal'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "recent" -d 'Nodes changed recently, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "import" -d 'Create or update nodes from \'kubectl get nodes -o json\' output'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "sync" -d 'Run \'kubectl get nodes -o json\' and import what it prints'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "drift" -d 'Show where the inventory and a cluster disagree, writing nothing'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "list" -d 'List GPUs: filter by node, cluster, model, status, free or allocated'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "show" -d 'Show a GPU with its MIG instances and lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "add" -d 'Add a GPU to a node'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "update" -d 'Change some fields of a GPU'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "set-status" -d 'Set a GPU\'s status'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "remove" -d 'Remove a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "list" -d 'List the GPU models of the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "show" -d 'Show a model with its aliases and MIG profiles'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "add" -d 'Add a model to the catalogue'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "update" -d 'Change some fields of a model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "remove" -d 'Remove a model (refused while GPUs use it)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from mig" -f -a "enable" -d 'Turn MIG mode on for a GPU (refused while it is leased whole)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from mig" -f -a "disable" -d 'Turn MIG mode off (refused while it has GPU instances)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from mig" -f -a "create" -d 'Create GPU instances of a profile, if the GPU can hold them'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from mig" -f -a "list" -d 'List GPU instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from mig" -f -a "destroy" -d 'Destroy a GPU instance, or every instance of a GPU (refused while leased)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alloc" -f -a "create" -d 'Lease GPUs or MIG instances'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alloc" -f -a "release" -d 'End a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alloc" -f -a "extend" -d 'Move an active lease\'s end: later by a duration, or to a time'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alloc" -f -a "list" -d 'List leases (active by default)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alloc" -f -a "show" -d 'Show a lease'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "list" -d 'List alerts, most severe first (open ones unless --state or --all)'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "show" -d 'Show one alert'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "ack" -d 'Acknowledge an alert: it stays open, marked as seen'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "resolve" -d 'Resolve an alert by hand'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "rules" -d 'List or tune the alert rules'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "receivers" -d 'Where alert transitions are delivered: Alertmanager (API v2) or webhooks'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "notify" -d 'Deliver pending alert transitions now, and send open alerts to Alertmanager again'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "retention" -d 'Show, or set, how long raw samples and hourly rollups are kept'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "prune" -d 'Roll up complete hours and delete data past retention, now'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "vacuum" -d 'Rebuild the store file to give free space back to the filesystem'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "backup" -d 'Copy the store to PATH, consistently, even while others write to it'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "cost" -d 'GPU-hours leased x model hourly cost, plus energy x price, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "idle" -d 'Leased or pod-held GPUs that stayed below a utilisation threshold, with the cost wasted'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "utilization" -d 'GPU-hours available vs leased vs used, per group, with a total row'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "stats" -d 'Nodes, GPUs, MIG, usage over the latest samples, and active alerts'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "clusters" -d 'The same statistics per cluster'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "models" -d 'The same statistics per GPU model'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "trends" -d 'Utilisation, memory, temperature and power over time, per bucket'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "alerts" -d 'Active alerts, most severe first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "activity" -d 'Recent events of every kind, newest first'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from dashboard" -f -a "realtime" -d 'The latest sample of every GPU; old samples are marked stale'
complete -c gpuctl -n "__fish_gpuctl_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "prometheus" -d 'Print the latest sample of a node\'s GPUs in Prometheus text format (dcgm-exporter names)'
