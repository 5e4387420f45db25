#include "users/common_passwords.h"

#include <iterator>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace clipforge::users {
namespace {

// 348 passwords of 10 or more characters, lowercased, taken from public lists
// of the most used passwords in breaches: SecLists' "10-million-password-list"
// top 10,000 (xato.net) and the UK NCSC's "100k most used passwords" (from
// Have I Been Pwned), plus the keyboard and digit runs they are full of.
// Random-looking strings of those lists (spam-bot artefacts) are left out.
constexpr absl::string_view kCommonPasswords[] = {
    "0000000000", "0123456789", "0192837465", "0987654321", "1020304050", "1029384756",
    "1111111111", "111222tianya", "1122334455", "112233445566", "1123581321", "1212121212",
    "1234509876", "1234512345", "1234554321", "123456123456", "12345654321", "123456654321",
    "1234567890", "1234567890-", "12345678900", "12345678901", "1234567890a", "1234567890q",
    "1234567891", "12345678910", "123456789123", "123456789123456789", "1234567899",
    "123456789987654321", "123456789a", "123456789b", "123456789d", "123456789j", "123456789m",
    "123456789q", "123456789qwe", "123456789r", "123456789s", "123456789t", "123456789z",
    "123456qwerty", "12345abcde", "12345qwert", "12345qwerty", "123hfjdk147", "123qweasdzxc",
    "1357924680", "1a2b3c4d5e", "1q2w3e4r5t", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u",
    "1q2w3e4r5t6y7u8i9o0p", "1qaz2wsx3edc", "1qazxsw23edc", "2012comeer", "2222222222",
    "3333333333", "421uiopy258", "4815162342", "5555555555", "7777777777", "7894561230",
    "8888888888", "9876543210", "987654321a", "9999999999", "a123456789", "a1b2c3d4e5",
    "aaaaaaaaaa", "abcde12345", "abcdefg123", "abcdefghij", "abracadabra", "abrakadabra",
    "absolutely", "alejandra1", "alejandro1", "aleksandra", "alessandra", "alessandro",
    "alexander1", "alexandra1", "alexandria", "anthony123", "asdfg12345", "asdfghjkl1",
    "asdfghjkl:", "asshole123", "australia1", "azertyuiop", "babycakes1", "babygirl10",
    "babygirl11", "babygirl12", "babygirl13", "backspace1", "bangladesh", "barcelona1",
    "baseball10", "baseball11", "baseball12", "baseball13", "basketball", "beautiful1",
    "bestfriend", "bettyboop1", "billabong1", "blackberry", "blueberry1", "bubblegum1",
    "buttercup1", "butterfly1", "california", "callofduty", "casablanca", "catherine1",
    "cellphone1", "charlie123", "charlotte1", "cheerleaers", "chocolate1", "chocolate2",
    "chrisbrown", "christian1", "christina1", "christine1", "christmas1", "christophe",
    "christopher", "cjmasterinf", "cocksucker", "computer12", "daddysgirl", "deepthroat",
    "diosesfiel", "disturbed1", "dragonball", "dragonballz", "elizabeth1", "elizabeth2",
    "enterprise", "evangelion", "experienced", "familyguy1", "fenerbahce", "fktrcfylhf",
    "football10", "football11", "football12", "football21", "football22", "friendship",
    "fuck_inside", "fuckyou123", "galatasaray", "gfhjkmgfhjkm", "ghjcnbnenrf", "ghjcnjgfhjkm",
    "ghostrider", "godisgreat", "golfcourse", "good123654", "happiness1", "harrypotter",
    "hellohello", "hellokitty", "hernandez1", "hollister1", "hollywood1", "homelesspa",
    "htubcnhfwbz", "iamthebest", "idontknow1", "ilovejesus", "ilovemymom", "ilovemyself",
    "iloveyou11", "iloveyou12", "iloveyou123", "iloveyou13", "iloveyou14", "iloveyou22",
    "information", "intercourse", "international", "ironmaiden", "jacqueline", "jeffhardy1",
    "jessica123", "jesucristo", "jesuschrist", "jesusislord", "johndeere1", "justinbieb",
    "justinbieber", "konstantin", "leavemealone", "lighthouse", "linkedin123", "linkinpark",
    "littleman1", "liverpool1", "longhorns1", "losangeles", "love123456", "lovehurts1",
    "m123456789", "mackenzie1", "mailcreated5240", "manchester", "marijuana1", "masterbate",
    "masterbating", "mastermind", "matematica", "megaparol12345", "metallica1", "michael123",
    "michelle12", "microphone", "microsoft1", "mississippi", "moneymaker", "montgom240",
    "motherfucker", "motherlode", "multiplelo", "myspace.co", "newcastle1", "nickjonas1",
    "nintendo64", "nthvbyfnjh", "nuttertools", "opensesame", "paintball1", "pakistan123",
    "passer2009", "passw0rd12", "password00", "password01", "password10", "password12",
    "password123", "password1234", "password21", "password22", "password23", "password69",
    "password99", "penetration", "pineapple1", "playstation", "poiuytrewq", "pokemon123",
    "polniypizdec0211", "polniypizdec110211", "porsche911", "prettygirl", "princess10",
    "princess11", "princess12", "princess13", "professional", "pufunga7782", "q1w2e3r4t5",
    "q1w2e3r4t5y6", "qazwsxedc1", "qazwsxedc123", "qazwsxedcrfv", "qwe1122334", "qweasdzxc123",
    "qwerasdfzxcv", "qwert12345", "qwerty1234", "qwerty12345", "qwerty123456", "qwertyqwerty",
    "qwertyuio1", "qwertyuiop", "qwertyuiop1", "qwertyuiop123", "qwertyuiop[]", "realmadrid",
    "revolution", "rjirfrgbde", "rjycnfynby", "ronaldinho", "salamander", "samsung123",
    "scoobydoo1", "september1", "september2", "sersolution", "sexybitch1", "skate4life",
    "skateboard", "smallville", "snowboard1", "snowflake1", "sojdlg123aljg", "sonyericsson",
    "soso123aljg", "southpark1", "spartan117", "spiderman1", "spiderman2", "spiderman3",
    "spongebob1", "spongebob2", "startfinding", "stephanie1", "strawberry", "summertime",
    "superman12", "superstar1", "sweetheart", "sweetness1", "swordfish1", "teddybear1",
    "telechargement", "temppassword", "terminator", "tinkerbell", "tokiohotel", "tottenham1",
    "translator", "underground", "undertaker", "university", "usuckballz1", "valentine1",
    "vfntvfnbrf", "volleyball", "vsjasnel12", "wachtwoord", "washington", "watermelon",
    "webhompass", "welcome123", "wrestling1", "xiang123456", "yjdsqgfhjkm", "youngmoney",
    "yuantuo2012", "zxcasdqwe123", "zxcvbnm,./", "zxcvbnm123",
};

const absl::flat_hash_set<absl::string_view>& CommonSet() {
  static const auto* const set = new absl::flat_hash_set<absl::string_view>(
      std::begin(kCommonPasswords), std::end(kCommonPasswords));
  return *set;
}

// "aaaaaaaaaa": one character repeated.
bool IsOneCharacterRepeated(absl::string_view s) {
  return s.find_first_not_of(s.front()) == absl::string_view::npos;
}

// Position of c in a cyclic alphabet ("0123456789" or "a..z"), or -1.
int CyclicIndex(char c, bool digits) {
  if (digits) return absl::ascii_isdigit(static_cast<unsigned char>(c)) ? c - '0' : -1;
  return (c >= 'a' && c <= 'z') ? c - 'a' : -1;
}

// "abcdefghijk", "2345678901", "9876543210", "zyxwvutsrq": consecutive digits
// or letters, up or down, wrapping around (9 -> 0, z -> a).
bool IsConsecutiveRun(absl::string_view s) {
  for (const bool digits : {true, false}) {
    const int size = digits ? 10 : 26;
    if (CyclicIndex(s[0], digits) < 0) continue;
    for (const int step : {1, size - 1}) {
      bool run = true;
      for (size_t i = 1; i < s.size() && run; ++i) {
        const int prev = CyclicIndex(s[i - 1], digits);
        const int cur = CyclicIndex(s[i], digits);
        run = cur >= 0 && cur == (prev + step) % size;
      }
      if (run) return true;
    }
  }
  return false;
}

// "abababababab", "123123123123", "passpasspass": a unit of 2-4 characters
// repeated (the last copy may be cut short) at least twice over.
bool IsShortUnitRepeated(absl::string_view s) {
  for (size_t unit = 2; unit <= 4 && 2 * unit <= s.size(); ++unit) {
    bool repeated = true;
    for (size_t i = unit; i < s.size() && repeated; ++i) repeated = s[i] == s[i - unit];
    if (repeated) return true;
  }
  return false;
}

}  // namespace

bool IsCommonPassword(absl::string_view password) {
  if (password.empty()) return true;
  const std::string lower = absl::AsciiStrToLower(password);
  return CommonSet().contains(lower) || IsOneCharacterRepeated(lower) ||
         IsConsecutiveRun(lower) || IsShortUnitRepeated(lower);
}

absl::Span<const absl::string_view> CommonPasswordList() { return kCommonPasswords; }

}  // namespace clipforge::users
