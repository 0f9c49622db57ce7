
# The segment goes before the prompt: the user's fish_prompt is kept under another name once,
# however often this file is sourced.
function __awsuse_return
    return $argv[1]
end
if not functions -q __awsuse_original_prompt
    if functions -q fish_prompt
        functions -c fish_prompt __awsuse_original_prompt
    else
        function __awsuse_original_prompt
            printf '> '
        end
    end
    function fish_prompt
        set -l st $status
        __awsuse_prompt_update
        test -n "$__awsuse_segment"; and printf '%s ' $__awsuse_segment
        # The user's prompt sees the status of the last command, not of this function.
        __awsuse_return $st
        __awsuse_original_prompt
    end
end
