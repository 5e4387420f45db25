#include "cli/args.h"

#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

const FlagSpec kPasswordStdin{"password-stdin", "",
                              "read the password from the first line of stdin (for scripts)"};
const FlagSpec kClaim{"claim", "CLAIM_ID", "your claim on the case (from `clipforge claim`)", true};
const FlagSpec kSource{"source", "SOURCES",
                       "only cases from these, comma-separated: prompt-filter, media-filter, user-report, appeal"};
const FlagSpec kCaseCategory{"category", "CATEGORIES", "only cases with one of these, comma-separated, e.g. spam,hate"};

// `flags`, then those that write a statement of reasons. `required` for an
// appeal's outcome, which always has one; a case decided with no action may
// go without (the command checks the rest).
std::vector<FlagSpec> WithStatementFlags(std::vector<FlagSpec> flags, bool required) {
  const FlagSpec statement[] = {
      {"ground", "GROUND", "terms (it breaks ClipForge's terms) or illegal (it breaks a law)", required},
      {"reference", "TEXT", "the terms clause or the law relied on, 1-500 characters", required},
      {"facts", "TEXT", "the facts and circumstances relied on, 1-2000 characters", required},
      {"explanation", "TEXT", "why the content is illegal (required with --ground=illegal), up to 2000 characters"},
      {"automated-detection", "", "automated means found the content (the decision is still yours)"},
      {"automation", "TEXT", "which automated means, e.g. \"prompt filter rules v812\", up to 500 characters"},
      {"scope", "TEXT", "where the action applies, e.g. worldwide or EU, up to 100 characters"},
      {"until", "TIME", "when a suspension ends, RFC 3339, e.g. 2024-07-01T00:00:00Z (required to suspend)"},
  };
  flags.insert(flags.end(), std::begin(statement), std::end(statement));
  return flags;
}

std::vector<CommandSpec> BuildCommands() {
  const std::vector<FlagSpec> list_flags = {
      {"page-size", "N", "users per page, 1-100 (default 20)"},
      {"page-token", "TOKEN", "continue from the token a previous page printed"},
      {"all", "", "follow every next page to the end"},
  };
  return {
      {"register", "", 0, 0, "create an account and log in",
       {{"handle", "HANDLE", "3-30 letters, digits or _, starting with a letter", true},
        {"email", "EMAIL", "your email address", true},
        {"display-name", "NAME", "the name shown on your profile", true},
        {"languages", "LIST", "comma-separated BCP-47 tags, preferred first, e.g. en,pt-BR"},
        {"analytics-opt-in", "", "opt in to analytics and a personalized feed (default: off; not for teen accounts)"},
        {"birth-date", "YYYY-MM-DD",
         "your date of birth (optional): under 13 cannot register, 13-17 makes a teen account, never "
         "personalized until the month you turn 18 ends; only that month is kept"},
        kPasswordStdin}},
      {"login", "HANDLE_OR_EMAIL", 1, 1, "log in and store the session",
       {{"device-name", "NAME", "a label for this session, e.g. \"laptop\""}, kPasswordStdin}},
      {"logout", "", 0, 0, "end this session and forget its tokens",
       {{"everywhere", "", "end every session of your account"}}},
      {"whoami", "", 0, 0, "show the account you are logged in as", {}},
      {"profile", "[HANDLE]", 0, 1, "show your profile, or another user's", {}},
      {"profile set", "", 0, 0, "change your profile (only the fields given)",
       {{"display-name", "NAME", "1-50 characters"},
        {"bio", "TEXT", "0-500 characters; --bio= clears it"},
        {"languages", "LIST", "comma-separated BCP-47 tags; --languages= clears them"}}},
      {"follow", "HANDLE", 1, 1, "follow a user", {}},
      {"unfollow", "HANDLE", 1, 1, "stop following a user", {}},
      {"followers", "[HANDLE]", 0, 1, "list who follows you (or HANDLE), newest first", list_flags},
      {"following", "[HANDLE]", 0, 1, "list whom you (or HANDLE) follow, newest first", list_flags},
      {"export", "", 0, 0, "download an archive of your personal data",
       {{"out", "FILE",
         "where to write it (default: clipforge-export-HANDLE.json, the extension following the "
         "server's format)"}}},
      {"delete-account", "", 0, 0, "delete your account and personal data",
       {{"yes", "", "do not ask to type the handle to confirm"}, kPasswordStdin}},
      {"consent", "[on|off]", 0, 1, "show or set your analytics consent", {}},
      {"generate", "PROMPT", 1, 1,
       "render a clip from a prompt, show its progress and download it (Ctrl-C stops watching, not the job: "
       "`clipforge cancel JOB_ID` cancels it)",
       {{"seconds", "N", "the clip's length, 4-300 seconds (default 4; your tier may allow less)"},
        {"size", "WxH", "the frame, e.g. 720x1280 (default), 1280x720, 1080x1920, 1920x1080"},
        {"seed", "N", "the renderer's seed, 0 to 2^63-1: the same prompt and seed render the same clip "
                      "(default: the server picks one)"},
        {"quality", "QUALITY", "draft (default: fast, cheap on quota) or full"},
        {"remix-of", "CLIP_ID", "the clip this one remixes (its credentials become an ingredient)"},
        {.name = "effect",
         .value_name = "EFFECT",
         .help = "an effect applied after rendering, in the order given (at most 8): text:HELLO, "
                 "grade:warm|cool|mono|vintage|vivid, speed:0.25-4.0, sticker:FILE (.png or .webp, at most "
                 "2 MiB and 1024x1024, uploaded first)",
         .repeatable = true},
        {"soundtrack", "FILE", "an audio file to upload and lay under the clip: .mp3, .m4a, .aac, .ogg (.oga, "
                               ".opus) or .wav, at most 20 MiB and 120 seconds"},
        {"out", "FILE", "where to write the video (default: JOB_ID.mp4 in this directory)"},
        {"no-download", "", "stop when the job completes, without downloading (see `clipforge download`)"}}},
      {"jobs", "", 0, 0, "list your generation jobs, newest first",
       {{"status", "STATUSES",
         "only jobs in these, comma-separated: queued, pending-review, in-progress, completed, failed, cancelled"},
        {"limit", "N", "show at most N jobs, 1-1000 (default 20)"}}},
      {"job", "JOB_ID", 1, 1, "show a generation job in full: spec, status, progress, failure, outputs", {}},
      {"cancel", "JOB_ID", 1, 1, "cancel a job that is queued, pending review or in progress", {}},
      {"api-keys", "", 0, 0, "list your API keys for the generation API (prefixes only, never the keys)",
       {{"all", "", "include revoked keys"}}},
      {"api-keys create", "NAME", 1, 1,
       "create an API key for your apps to call the generation API as you (shown once)",
       {{"daily-seconds", "N", "the key's own daily quota in quota seconds, 1-86400 (default: your tier's only)"}}},
      {"api-keys revoke", "KEY_ID", 1, 1, "revoke one of your API keys: calls with it are refused", {}},
      {"download", "JOB_ID", 1, 1, "download an output of a completed job, verified (SHA-256), or print a signed URL",
       {{"variant", "VARIANT", "video (default), thumbnail, spritesheet or provenance (the C2PA manifest store)"},
        {"out", "FILE", "where to write it (default: JOB_ID.mp4, .jpg or .c2pa in this directory)"},
        {"url", "", "print a signed, expiring HTTPS URL (with Range support) instead of downloading"},
        {"ttl", "DURATION", "with --url: how long the URL works, 1m to 24h, e.g. 90s, 30m, 2h (default 1h)"}}},
      {"publish", "JOB_ID", 1, 1, "publish a completed job of yours as a clip",
       {{"title", "TEXT", "0-100 characters"},
        {"caption", "TEXT", "0-2200 characters"},
        {.name = "tag",
         .value_name = "TAG",
         .help = "a tag, without '#': 1-40 letters, digits or _ (at most 32 tags)",
         .repeatable = true},
        {"language", "TAG", "the clip's main language, a BCP-47 tag, e.g. en or pt-BR"},
        {"visibility", "VISIBILITY", "public (default), unlisted, followers or private"},
        {"no-forks", "", "do not let others fork it"}}},
      {"fork", "CLIP_ID PROMPT", 2, 2,
       "remix a clip: start a job with an edited prompt, show its progress, then `clipforge publish JOB_ID` "
       "makes it a clip (Ctrl-C stops watching, not the job)",
       {{"seconds", "N", "the fork's length, 4-300 seconds (default: the clip's)"},
        {"size", "WxH", "the frame, e.g. 720x1280 or 1280x720 (default: the clip's)"},
        {"seed", "N", "the renderer's seed, 0 to 2^63-1 (default: the clip's)"},
        {"quality", "QUALITY", "draft or full (default: the clip's)"},
        {.name = "effect",
         .value_name = "EFFECT",
         .help = "an effect, in the order given (at most 8), replacing the clip's: text:HELLO, "
                 "grade:warm|cool|mono|vintage|vivid, speed:0.25-4.0, sticker:FILE (.png or .webp, uploaded first)",
         .repeatable = true},
        {"soundtrack", "FILE", "an audio file to upload and lay under the fork instead of the clip's (as `generate`)"},
        {"no-wait", "", "print the job as it starts, without watching it"}}},
      {"clip", "CLIP_ID", 1, 1,
       "show a clip: title, author, prompt, parent and root, counts, visibility, media URLs", {}},
      {"clips", "", 0, 0, "list a user's clips, newest first (default: yours)",
       {{"author", "USER_ID", "whose clips: a user id, @HANDLE, or me (default)"},
        {"page-size", "N", "clips per page, 1-100 (default 20)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"lineage", "CLIP_ID", 1, 1, "list a clip's ancestors, its parent first, up to the original", {}},
      {"variants", "CLIP_ID", 1, 1,
       "list a clip's forks, then its siblings (its parent's other forks), newest first, each with its prompt's "
       "word diff against its parent's",
       {{"forks", "", "only the clip's forks"},
        {"siblings", "", "only its siblings"},
        {"page-size", "N", "variants per page, 1-50 (default 20)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"tree", "CLIP_ID", 1, 1, "draw the fork tree under a clip, each fork with the words it changed (+N/-M)",
       {{"max-depth", "N", "levels below the clip to draw, 0-1000 (default 0: every level)"},
        {"max-nodes", "N", "draw at most N clips, 1-10000 (default 200)"}}},
      {"like", "CLIP_ID", 1, 1, "like a clip", {}},
      {"unlike", "CLIP_ID", 1, 1, "take back your like of a clip", {}},
      {"delete-clip", "CLIP_ID", 1, 1, "delete a clip of yours; its forks keep their lineage", {}},
      {"edit-clip", "CLIP_ID", 1, 1, "change a clip of yours (only the fields given)",
       {{"title", "TEXT", "0-100 characters; --title= clears it"},
        {"caption", "TEXT", "0-2200 characters; --caption= clears it"},
        {.name = "tag",
         .value_name = "TAG",
         .help = "the clip's tags, replacing all of them (at most 32); --tag= alone clears them",
         .repeatable = true},
        {"language", "TAG", "a BCP-47 tag; --language= clears it"},
        {"visibility", "VISIBILITY", "public, unlisted, followers or private"},
        {"forks", "on|off", "whether others may fork it"}}},
      {"comment", "CLIP_ID TEXT", 2, 2, "comment on a clip (1-500 characters), or reply to a top-level comment",
       {{"reply-to", "COMMENT_ID",
         "the top-level comment to reply to, by its full id (a reply cannot be replied to)"}}},
      {"comments", "CLIP_ID", 1, 1,
       "list a clip's comments, newest first, or one comment's replies, oldest first",
       {{"replies-to", "COMMENT_ID", "list this top-level comment's replies instead (its full id)"},
        {"page-size", "N", "comments per page, 1-100 (default 20)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"delete-comment", "COMMENT_ID", 1, 1,
       "delete a comment of yours or on your clip (moderators: any); one with replies stays as (deleted)", {}},
      {"feed", "", 0, 0,
       "show a page of a feed: each clip with why it is there and its originality, and how the page was "
       "personalized",
       {{"feed", "FEED", "for_you (default), following, trending or theme/THEME_ID (see `themes`)"},
        {"size", "N", "clips per page, 1-50 (default 20)"},
        {"page", "TOKEN", "continue from the token a previous page printed"},
        {"why", "", "also show every reason and the score breakdown: each factor and the score they multiply to"}}},
      {"more", "CLIP_ID", 1, 1, "ask for more like a clip in your feeds",
       {{"scope", "SCOPE", "what more of: clip (default: clips like it), creator, cluster (similar prompts) or theme"}}},
      {"less", "CLIP_ID", 1, 1, "ask for less like a clip in your feeds",
       {{"scope", "SCOPE", "what less of: clip (default: clips like it), creator, cluster (similar prompts) or theme"}}},
      {"why", "CLIP_ID", 1, 1,
       "explain a clip's originality: its score, whether it is a copy, and each component with the clips it matched",
       {}},
      {"weights", "", 0, 0, "show your ranking weights: how you steer your feeds", {}},
      {"weights set", "", 0, 0, "change your ranking weights (only the ones given)",
       {{"originality", "X", "0.5-2.0: above 1 presses less original clips down harder"},
        {"freshness", "X", "0.5-2.0: above 1 favours newer clips"},
        {"following", "X", "0.5-2.0: above 1 favours creators you follow, below 1 discovery"},
        {"exploration", "X", "0.05-0.25: the share of feed slots for new clips (default 0.1)"},
        {.name = "theme",
         .value_name = "THEME_ID=W",
         .help = "a theme's weight, 0.5-2.0 (at most 50; comma-separated also works); replaces every theme weight, "
                 "--theme= alone clears them",
         .repeatable = true}}},
      {"themes", "", 0, 0, "list the Echo Chambers (themes), most members first",
       {{"joined", "", "only the themes you joined"},
        {"page-size", "N", "themes per page, 1-100 (default 20)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"themes create", "SLUG", 1, 1,
       "create an Echo Chamber (theme): its tags draw clips with those tags in; SLUG is 2-40 of a-z, 0-9 "
       "and - (admin)",
       {{"name", "NAME", "the name shown, 1-60 characters", true},
        {"tags", "TAG[,TAG...]", "1-32 clip tags that draw clips in, comma-separated, each 1-40 of a-z, 0-9 and _",
         true},
        {"description", "TEXT", "what it is about, up to 500 characters"}}},
      {"join", "THEME_ID", 1, 1, "join a theme: its clips come in your for_you feed (at most 50 themes)", {}},
      {"leave", "THEME_ID", 1, 1, "leave a theme", {}},
      {"reach", "", 0, 0,
       "show whether your reach is cut for mass reposting (5 copies of others' clips in a day: a quarter of "
       "your score for 7 days), and your appeal",
       {}},
      {"reach appeal", "TEXT", 1, 1,
       "appeal your running reach penalty, once: why the copies were not reposts, 1-1000 characters", {}},
      {"wallet", "", 0, 0,
       "show your balances: your wallet, your earnings still in their hold window (pending) and your tip jar, with "
       "what payouts in progress hold of it",
       {{"as-of", "TIME", "the balances at a past time, RFC 3339, e.g. 2024-07-01T00:00:00Z (default: now)"}}},
      {"wallet statement", "", 0, 0,
       "list an account's entries, oldest first (time, kind, signed amount, balance after, reference), then its "
       "opening and closing balances",
       {{"account", "ACCOUNT", "wallet (default), pending (earnings in their hold window) or jar (your tip jar)"},
        {"since", "TIME", "entries at or after this time, RFC 3339 (default: the account's start)"},
        {"until", "TIME", "entries before this time, RFC 3339 (default: now)"},
        {"limit", "N", "show at most N entries, 1-1000 (default 50)"}}},
      {"topup", "AMOUNT", 1, 1,
       "add money to your wallet through a payment provider: AMOUNT in USD, 1.00-500.00, at most two decimals "
       "(e.g. 20 or 12.50)",
       {{"provider", "PROVIDER", "the payment provider (default: sandbox)"},
        {"token", "TOKEN",
         "the provider's token for the payment method (default: tok_visa; the sandbox declines tok_chargeDeclined "
         "and tok_insufficientFunds)"}}},
      {"topup refund", "TOP_UP_ID [AMOUNT]", 1, 2,
       "refund all or part of a top-up of yours that succeeded, back through its provider: AMOUNT in USD, at most "
       "two decimals, up to 500.00 (default: all that is left unrefunded); only money still in your wallet can be "
       "refunded; prints the top-up with what was refunded so far",
       {{"reason", "TEXT", "why, up to 500 characters"}}},
      {"tip", "CLIP_ID AMOUNT", 2, 2,
       "tip a clip from your wallet: AMOUNT in USD, 0.10-500.00, at most two decimals; prints each leg: the "
       "platform fee, royalties to the authors of the clips it remixes, the creators' shares",
       {{"message", "TEXT", "a message to the creator, up to 140 characters"}}},
      {"tip show", "TIP_ID", 1, 1, "show a tip you sent or received a leg of, leg by leg", {}},
      {"check", "TEXT", 1, 1, "check a text against the prompt filter (decision, categories, matches)",
       {{"locale", "TAG", "the text's language, a BCP-47 tag (default: rules of every locale)"},
        {"surface", "WHERE", "prompt (default), title, caption, comment, chat, profile or tip-message"}}},
      {"rules", "", 0, 0, "list the prompt rules, oldest first (admin)",
       {{"category", "CATEGORY", "only this category's rules"},
        {"page-size", "N", "rules per page, 1-500 (default 100)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"rules add", "PATTERN", 1, 1, "add a prompt rule; it is live on every server within a second (admin)",
       {{"category", "CATEGORY", "what it detects: violence, child-safety, hate, spam, ... (see `policies`)", true},
        {"kind", "KIND", "keyword (default: one word), phrase (words in a row) or regex"},
        {"decision", "DECISION", "review or block (default)"},
        {"locales", "LIST", "comma-separated BCP-47 tags it applies to (default: all)"},
        {"surfaces", "LIST", "comma-separated surfaces it applies to, e.g. chat,comment (default: all)"},
        {"description", "TEXT", "a note for moderators, 0-500 characters"},
        {"disabled", "", "add it switched off"}}},
      {"rules set", "RULE_ID", 1, 1, "change a prompt rule (only the fields given) (admin)",
       {{"pattern", "PATTERN", "the new keyword, phrase or regex"},
        {"kind", "KIND", "keyword, phrase or regex"},
        {"category", "CATEGORY", "what it detects"},
        {"decision", "DECISION", "review or block"},
        {"locales", "LIST", "comma-separated BCP-47 tags; --locales= applies it to all"},
        {"surfaces", "LIST", "comma-separated surfaces; --surfaces= applies it to all"},
        {"description", "TEXT", "a note for moderators"},
        {"enable", "", "switch it on"},
        {"disable", "", "switch it off"}}},
      {"rules delete", "RULE_ID", 1, 1, "delete a prompt rule (admin)", {}},
      {"policies", "", 0, 0, "list what each moderation category decides (admin)", {}},
      {"policies set", "CATEGORY", 1, 1, "change a category's policy (only the fields given) (admin)",
       {{"max-automatic", "DECISION", "the most a prompt-filter match may decide alone: allow, review or block"},
        {"media-match", "DECISION", "what a hash-bank match decides"},
        {"queue-priority", "N", "its review cases' priority, 0-100 (higher first)"},
        {"terms-clause", "TEXT", "the terms clause statements of reasons cite"},
        {"description", "TEXT", "a description for moderators"}}},
      {"audit", "", 0, 0, "list the moderation audit log, oldest first (admin)",
       {{"from", "N", "start at this sequence number"},
        {"actor", "USER_ID", "only what this user did"},
        {"page-size", "N", "entries per page, 1-500 (default 100)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"audit verify", "", 0, 0, "recompute the audit log's hash chain and report the first broken link (admin)",
       {{"from", "N", "the first sequence to check (default 1)"},
        {"to", "N", "the last sequence to check (default: the newest)"}}},
      {"banks", "", 0, 0, "list the media filter's hash banks (admin)", {}},
      {"banks create", "NAME", 1, 1, "create a hash bank of known harmful media (admin)",
       {{"category", "CATEGORY", "what its media are: child-safety, violent-extremism, ... (see `policies`)", true},
        {"decision", "DECISION", "what a match decides: review (default) or block"},
        {"distance", "N", "the largest PDQ distance that counts as a match, 0-64 (default 31)"},
        {"source", "TEXT", "where its hashes come from, up to 100 characters"},
        {"description", "TEXT", "a note, up to 500 characters"}}},
      {"banks import", "BANK_ID FILE", 2, 2,
       "import a CSV of `hash_hex,label` lines (as `clipforged pdq` prints hashes) into a bank (admin)", {}},
      {"verify", "FILE", 1, 1,
       "check the C2PA Content Credentials of an MP4, offline: the manifest chain, who signed, and the verdict",
       {{"trust", "CA_PEM", "a PEM file of trust anchors (e.g. the instance's signing CA); without it no signer is trusted"}}},
      {"report", "KIND ID", 2, 2, "report a clip, comment, user, party, job or chat message to the moderators",
       {{"reason", "CATEGORY", "the category you believe applies: spam, harassment, hate, ... (see `policies`)", true},
        {"details", "TEXT", "what the moderators should know, up to 1000 characters"}}},
      {"reports", "", 0, 0, "list your reports and their outcomes, newest first", {}},
      {"queue", "", 0, 0, "list the review queue, highest priority first, and how many cases are open (moderator)",
       {kSource,
        kCaseCategory,
        {"page-size", "N", "cases per page, 1-100 (default 20)"},
        {"page-token", "TOKEN", "continue from the token a previous page printed"},
        {"all", "", "follow every next page to the end"}}},
      {"claim", "", 0, 0, "claim the next case of the review queue and show it in full (moderator)",
       {kSource, kCaseCategory, {"minutes", "N", "how long to hold it, 1-30 (default 10)"}}},
      {"case", "CASE_ID", 1, 1, "show a case in full (moderator)", {}},
      {"release", "CASE_ID", 1, 1, "give a claimed case back to the queue undecided (moderator)", {kClaim}},
      {"decide", "CASE_ID", 1, 1, "decide a claimed case, with a statement of reasons for the user (moderator)",
       WithStatementFlags(
           {kClaim,
            {"action", "ACTION",
             "no-action, label, reduce-visibility, remove, suspend, terminate, age-restrict or warn", true},
            {"category", "CATEGORIES", "the categories found, comma-separated (required unless --action=no-action)"}},
           false)},
      {"appeal", "DECISION_ID TEXT", 2, 2, "appeal a decision on your content or on your report, within 180 days", {}},
      {"appeal show", "APPEAL_ID", 1, 1, "show an appeal and its outcome", {}},
      {"appeal decide", "APPEAL_ID", 1, 1,
       "decide an appeal claimed from the queue; the outcome is final inside ClipForge (moderator)",
       WithStatementFlags({kClaim,
                           {"outcome", "OUTCOME", "upheld, reversed (restores the content) or modified", true},
                           {"action", "ACTION", "the new action, with --outcome=modified"}},
                          true)},
  };
}

struct GlobalFlag {
  absl::string_view name;
  absl::string_view value_name;
  absl::string_view help;
};

constexpr GlobalFlag kGlobalFlags[] = {
    {"server", "HOST:PORT",
     "the ClipForge server (env CLIPFORGE_SERVER; default: the stack scripts/run started from this "
     "clone, else 127.0.0.1:50051)"},
    {"plaintext", "",
     "talk to the server without TLS (the default only for 127.0.0.1, localhost and [::1])"},
    {"ca-file", "FILE",
     "trust the server certificates this PEM CA file signed instead of the system's (env "
     "CLIPFORGE_CA_FILE); implies TLS"},
    {"json", "", "print one JSON object per command on stdout"},
    {"config-dir", "DIR",
     "where credentials.json lives (env CLIPFORGE_CONFIG_DIR; default "
     "$XDG_CONFIG_HOME/clipforge or ~/.config/clipforge)"},
};

const GlobalFlag* FindGlobal(absl::string_view name) {
  for (const GlobalFlag& flag : kGlobalFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const FlagSpec* FindFlag(const CommandSpec& command, absl::string_view name) {
  for (const FlagSpec& flag : command.flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::string FlagUsage(absl::string_view name, absl::string_view value_name) {
  return value_name.empty() ? absl::StrCat("--", name) : absl::StrCat("--", name, "=", value_name);
}

std::string CommandName(const CommandSpec* command) {
  return command ? absl::StrCat("`clipforge ", command->name, "`") : "clipforge";
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec>* const commands =
      new std::vector<CommandSpec>(BuildCommands());
  return *commands;
}

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::optional<std::string> Invocation::Get(absl::string_view flag) const {
  const auto it = flags.find(flag);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Invocation::GetAll(absl::string_view flag) const {
  const auto it = repeated_flags.find(flag);
  if (it == repeated_flags.end()) return {};
  return it->second;
}

std::string Invocation::Operand(size_t index) const {
  return index < operands.size() ? operands[index] : std::string();
}

absl::StatusOr<std::optional<int64_t>> Invocation::Int64Flag(absl::string_view flag, int64_t min,
                                                            int64_t max) const {
  const std::optional<std::string> text = Get(flag);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < min || value > max) {
    return UsageError(absl::StrCat("--", flag, " must be a whole number from ", min, " to ", max));
  }
  return std::optional<int64_t>(value);
}

absl::StatusOr<std::optional<int32_t>> Invocation::IntFlag(absl::string_view flag, int32_t min,
                                                          int32_t max) const {
  absl::StatusOr<std::optional<int64_t>> value = Int64Flag(flag, min, max);
  if (!value.ok()) return value.status();
  if (!*value) return std::optional<int32_t>();
  return std::optional<int32_t>(static_cast<int32_t>(**value));
}

absl::Status ParseArgs(const std::vector<std::string>& args, Invocation& out) {
  out = Invocation();
  absl::Status first_error;
  const auto fail = [&](std::string message) {
    if (first_error.ok()) first_error = UsageError(message);
  };
  bool flags_done = false;
  bool unknown_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool is_flag = !flags_done && arg.size() > 1 && arg[0] == '-';
    if (!is_flag) {
      if (out.command == nullptr && !unknown_command) {
        std::string name = arg;
        if (name == "help" && !out.help && out.operands.empty()) {
          out.help = true;
          continue;
        }
        // Two-word commands ("profile set", "rules add"): the longer name wins.
        if (i + 1 < args.size() && FindCommand(absl::StrCat(name, " ", args[i + 1])) != nullptr) {
          name = absl::StrCat(name, " ", args[i + 1]);
          ++i;
        }
        out.command = FindCommand(name);
        if (out.command == nullptr) {
          fail(absl::StrCat("unknown command '", name, "'"));
          unknown_command = true;  // later words are not taken as commands
        }
      } else {
        out.operands.push_back(arg);
      }
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      fail(absl::StrCat("unknown flag '", arg, "' (flags are spelled --name)"));
      continue;
    }
    const absl::string_view body = absl::string_view(arg).substr(2);
    const size_t eq = body.find('=');
    const std::string name(body.substr(0, eq));
    std::optional<std::string> value;
    if (eq != absl::string_view::npos) value = std::string(body.substr(eq + 1));

    absl::string_view value_name;
    bool known = false;
    bool repeatable = false;
    if (const GlobalFlag* global = FindGlobal(name)) {
      known = true;
      value_name = global->value_name;
    } else if (out.command != nullptr) {
      if (const FlagSpec* flag = FindFlag(*out.command, name)) {
        known = true;
        value_name = flag->value_name;
        repeatable = flag->repeatable;
      }
    }
    if (!known) {
      fail(out.command == nullptr
               ? absl::StrCat("unknown flag --", name, " (a command's flags go after the command)")
               : absl::StrCat("unknown flag --", name, " for ", CommandName(out.command)));
      continue;
    }
    if (value_name.empty()) {
      if (value) {
        fail(absl::StrCat("--", name, " takes no value"));
        continue;
      }
      value = "";
    } else if (!value) {
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        value = args[++i];
      } else {
        fail(absl::StrCat("--", name, " needs a value: --", name, "=", value_name));
        continue;
      }
    }
    if (name == "server" || name == "config-dir" || name == "ca-file") {
      std::optional<std::string>& slot = name == "server"       ? out.global.server
                                         : name == "config-dir" ? out.global.config_dir
                                                                : out.global.ca_file;
      if (slot) fail(absl::StrCat("--", name, " given twice"));
      if (value->empty()) fail(absl::StrCat("--", name, " must not be empty"));
      slot = *value;
    } else if (name == "json") {
      out.global.json = true;
    } else if (name == "plaintext") {
      out.global.plaintext = true;
    } else if (repeatable) {
      out.repeated_flags[name].push_back(*value);
      out.flags.insert_or_assign(name, *value);
    } else if (!out.flags.emplace(name, *value).second) {
      fail(absl::StrCat("--", name, " given twice"));
    }
  }
  if (out.help) {
    // `clipforge help CMD`: the first operand names the command.
    if (unknown_command) return first_error;
    return absl::OkStatus();
  }
  if (!first_error.ok()) return first_error;
  if (out.command == nullptr) return UsageError("no command given");
  const CommandSpec& command = *out.command;
  if (out.operands.size() < command.min_operands) {
    return UsageError(absl::StrCat(CommandName(&command), " needs ", command.operands));
  }
  if (out.operands.size() > command.max_operands) {
    return UsageError(absl::StrCat("unexpected argument '", out.operands[command.max_operands],
                                   "' for ", CommandName(&command)));
  }
  for (const FlagSpec& flag : command.flags) {
    if (flag.required && !out.Has(flag.name)) {
      return UsageError(absl::StrCat(CommandName(&command), " needs --", flag.name, "=",
                                     flag.value_name));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SplitList(absl::string_view text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

std::string StripAt(absl::string_view handle) {
  absl::ConsumePrefix(&handle, "@");
  return std::string(handle);
}

std::string UsageLine(const CommandSpec& command) {
  std::string line = absl::StrCat("usage: clipforge ", command.name);
  if (!command.operands.empty()) absl::StrAppend(&line, " ", command.operands);
  for (const FlagSpec& flag : command.flags) {
    const std::string usage = FlagUsage(flag.name, flag.value_name);
    absl::StrAppend(&line, " ", flag.required ? usage : absl::StrCat("[", usage, "]"),
                    flag.repeatable ? "..." : "");
  }
  return line;
}

std::string GeneralUsage() {
  std::string text =
      "usage: clipforge [--server=HOST:PORT] [--plaintext | --ca-file=FILE] [--json] "
      "[--config-dir=DIR] COMMAND [ARGS]\n"
      "\n"
      "commands:\n";
  size_t width = 0;
  for (const CommandSpec& command : Commands()) width = std::max(width, command.name.size());
  for (const CommandSpec& command : Commands()) {
    absl::StrAppend(&text, "  ", command.name, std::string(width + 2 - command.name.size(), ' '),
                    command.summary, "\n");
  }
  text += "\nglobal flags:\n";
  for (const GlobalFlag& flag : kGlobalFlags) {
    absl::StrAppend(&text, "  ", FlagUsage(flag.name, flag.value_name), "\n      ", flag.help,
                    "\n");
  }
  text +=
      "  --help\n      show help; `clipforge COMMAND --help` for a command\n"
      "\nexit codes: 0 ok, 1 server or operation error, 2 usage error, 3 not logged in\n";
  return text;
}

std::string CommandUsage(const CommandSpec& command) {
  std::string text = absl::StrCat(UsageLine(command), "\n\n", command.summary, "\n");
  if (!command.flags.empty()) {
    text += "\nflags:\n";
    for (const FlagSpec& flag : command.flags) {
      absl::StrAppend(&text, "  ", FlagUsage(flag.name, flag.value_name),
                      flag.required ? " (required)" : "", flag.repeatable ? " (repeatable)" : "",
                      "\n      ", flag.help, "\n");
    }
  }
  text +=
      "\nglobal flags: --server=HOST:PORT --plaintext --ca-file=FILE --json --config-dir=DIR (see "
      "`clipforge --help`)\n";
  return text;
}

}  // namespace clipforge::cli
