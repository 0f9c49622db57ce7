# awsuse integration for zsh: put `eval "$(awsuse init zsh)"` in ~/.zshrc.
# Sourcing it again only redefines the same functions.

# Whether the arguments name a command whose output is shell code to evaluate.
function __awsuse_switches() {
    while (( $# > 0 )); do
        case "$1" in
            -h | --help | -V | --version) \builtin return 1 ;;
            --config-file | --credentials-file)
                if (( $# > 1 )); then \builtin shift; fi
                ;;
            -*) ;;
            use | choose | unset | create) \builtin return 0 ;;
            *) \builtin return 1 ;;
        esac
        \builtin shift
    done
    \builtin return 1
}

# The function users call: switches are evaluated here, everything else passes through.
# A failed command's status is returned and nothing of it is evaluated.
function {{cmd}}() {
    if __awsuse_switches "$@"; then
        \builtin local __awsuse_out
        __awsuse_out=$(AWSUSE_SHELL=zsh \command awsuse "$@") || \builtin return
        \builtin eval -- "$__awsuse_out"
    else
        AWSUSE_SHELL=zsh \command awsuse "$@"
    fi
}

# Sets __awsuse_segment to the prompt segment, PROFILE@REGION [MARK] Nm, or to nothing when
# no profile is active. Builtins only: this runs before every prompt.
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
function __awsuse_prompt_update() {
    \builtin typeset -g __awsuse_segment=${AWS_PROFILE:-${AWSUSE_PROFILE:-}}
    if [[ -z $__awsuse_segment ]]; then \builtin return 0; fi
    \builtin local region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}} mark
    if [[ -n $region ]]; then __awsuse_segment+="@$region"; fi
    case "${AWSUSE_PARTITION:-aws}" in
        aws) ;;
        aws-us-gov) __awsuse_segment+=" [gov]" ;;
        *)
            mark=${AWSUSE_PARTITION#aws-}
            __awsuse_segment+=" [${mark//-/}]"
            ;;
    esac
    if [[ ${AWSUSE_EXPIRES:-} == <-> && -n ${EPOCHSECONDS:-} ]]; then
        if (( AWSUSE_EXPIRES > EPOCHSECONDS )); then
            __awsuse_segment+=" $(( (AWSUSE_EXPIRES - EPOCHSECONDS) / 60 ))m"
        else
            __awsuse_segment+=" expired"
        fi
    fi
}

# Prints the prompt segment, for prompts built by other means.
function __awsuse_prompt() {
    __awsuse_prompt_update
    \builtin print -rn -- "$__awsuse_segment"
}
