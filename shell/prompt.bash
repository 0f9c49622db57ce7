
# The segment goes before the prompt, once however often this file is sourced.
__awsuse_prompt_hook() {
    __awsuse_prompt_update
    if [ -n "$__awsuse_segment" ]; then __awsuse_segment+=" "; fi
}
case ";${PROMPT_COMMAND:-};" in
    *";__awsuse_prompt_hook;"*) ;;
    *) PROMPT_COMMAND="__awsuse_prompt_hook;${PROMPT_COMMAND:-}" ;;
esac
# The variable is expanded when the prompt is drawn, not now.
# shellcheck disable=SC2016
case "${PS1:-}" in
    *'${__awsuse_segment'*) ;;
    *) PS1='${__awsuse_segment:-}'"${PS1:-}" ;;
esac
