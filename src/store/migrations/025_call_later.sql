-- Issue 28: help for later by phone. Which of its menus the caller is in (the day, the
-- part of the day, the hour, the read-back, cancelling planned help), while the call's
-- phase stays 'menu': one word, `domain::call::Later::as_str`, read back with `parse`.
ALTER TABLE calls ADD COLUMN later TEXT;
