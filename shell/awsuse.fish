# awsuse integration for fish: put `awsuse init fish | source` in ~/.config/fish/config.fish.
# Sourcing it again only redefines the same functions.

# Whether the arguments name a command whose output is shell code to evaluate.
function __awsuse_switches
    set -l skip 0
    for arg in $argv
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $arg
            case -h --help -V --version
                return 1
            case --config-file --credentials-file
                set skip 1
            case '-*'
            case use choose unset create
                return 0
            case '*'
                return 1
        end
    end
    return 1
end

# The function users call: switches are evaluated here, everything else passes through.
# Output is sourced whole (`eval (cmd)` would split it into lines); a failed command's
# status is returned and nothing of it is evaluated.
function {{cmd}} --description 'switch the AWS profile of this shell'
    if __awsuse_switches $argv
        set -l out (AWSUSE_SHELL=fish command awsuse $argv | string collect)
        set -l st $pipestatus[1]
        if test $st -ne 0
            return $st
        end
        printf '%s\n' $out | source
    else
        AWSUSE_SHELL=fish command awsuse $argv
    end
end

# Sets __awsuse_segment to the prompt segment, PROFILE@REGION [MARK] Nm, or to nothing when
# no profile is active. Builtins only, except `date` for expiring credentials, since fish has
# no clock of its own.
function __awsuse_prompt_update
    set -g __awsuse_segment
    set -l profile $AWS_PROFILE
    test -n "$profile"; or set profile $AWSUSE_PROFILE
    test -n "$profile"; or return 0
    set -l text $profile
    set -l region $AWS_REGION
    test -n "$region"; or set region $AWS_DEFAULT_REGION
    test -n "$region"; and set text "$text@$region"
    switch "$AWSUSE_PARTITION"
        case '' aws
        case aws-us-gov
            set text "$text [gov]"
        case '*'
            set text "$text ["(string replace -a -- - '' (string replace -- aws- '' $AWSUSE_PARTITION))"]"
    end
    if string match -qr '^[0-9]+$' -- "$AWSUSE_EXPIRES"
        set -l now (command date +%s)
        if test $AWSUSE_EXPIRES -gt $now
            set text "$text "(math --scale=0 "($AWSUSE_EXPIRES - $now) / 60")"m"
        else
            set text "$text expired"
        end
    end
    set -g __awsuse_segment $text
end

# Prints the prompt segment, for prompts built by other means.
function __awsuse_prompt
    __awsuse_prompt_update
    printf '%s' $__awsuse_segment
end
