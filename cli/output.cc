#include "cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/errors.h"
#include "base/json_writer.h"
#include "base/validation.h"

namespace clipforge::cli {
namespace {

template <typename T>
Record& AddField(Record& record, absl::string_view key, T value, Show show) {
  record.fields.push_back(Field{std::string(key), Field::Value(std::move(value)), show});
  return record;
}

void WriteValue(base::JsonWriter& json, const Field::Value& value);

void WriteRecord(base::JsonWriter& json, const Record& record) {
  json.BeginObject();
  for (const Field& field : record.fields) {
    json.Key(field.key);
    WriteValue(json, field.value);
  }
  json.EndObject();
}

void WriteValue(base::JsonWriter& json, const Field::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    json.String(*s);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    json.Int(*i);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    json.Bool(*b);
  } else if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    json.BeginArray();
    for (const std::string& item : *list) json.String(item);
    json.EndArray();
  } else if (const auto* rows = std::get_if<std::vector<Record>>(&value)) {
    json.BeginArray();
    for (const Record& row : *rows) WriteRecord(json, row);
    json.EndArray();
  }
}

std::string Label(absl::string_view key) { return absl::StrReplaceAll(key, {{"_", " "}}); }

// Terminal columns, approximated by code points.
size_t Width(absl::string_view text) {
  const auto chars = base::Utf8Length(text);
  return chars ? *chars : text.size();
}

std::string Pad(absl::string_view text, size_t width) {
  std::string out(text);
  const size_t w = Width(text);
  if (w < width) out.append(width - w, ' ');
  return out;
}

// A scalar or list rendered for people; tables are rendered elsewhere.
std::string HumanValue(const Field::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    return s->empty() ? "-" : TerminalSafe(*s);
  }
  if (const auto* i = std::get_if<int64_t>(&value)) return absl::StrCat(*i);
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "yes" : "no";
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    if (list->empty()) return "-";
    std::vector<std::string> safe;
    for (const std::string& item : *list) safe.push_back(TerminalSafe(item));
    return absl::StrJoin(safe, ", ");
  }
  return "";
}

void RenderTable(std::string& out, const Field& field, const std::vector<Record>& rows) {
  if (rows.empty()) {
    absl::StrAppend(&out, Label(field.key), ": none\n");
    return;
  }
  std::vector<std::string> keys;
  for (const Field& column : rows.front().fields) {
    if (column.show == Show::kAlways) keys.push_back(column.key);
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  std::vector<std::string> header;
  for (const std::string& key : keys) {
    header.push_back(absl::AsciiStrToUpper(Label(key)));
    widths.push_back(Width(header.back()));
  }
  for (const Record& row : rows) {
    std::vector<std::string> line;
    for (size_t k = 0; k < keys.size(); ++k) {
      std::string cell;
      for (const Field& f : row.fields) {
        if (f.key == keys[k]) cell = HumanValue(f.value);
      }
      widths[k] = std::max(widths[k], Width(cell));
      line.push_back(std::move(cell));
    }
    cells.push_back(std::move(line));
  }
  const auto append_line = [&](const std::vector<std::string>& line) {
    std::string text;
    for (size_t k = 0; k < line.size(); ++k) {
      text += k + 1 == line.size() ? line[k] : Pad(line[k], widths[k] + 2);
    }
    absl::StrAppend(&out, text, "\n");
  };
  append_line(header);
  for (const auto& line : cells) append_line(line);
}

}  // namespace

Record& Record::Str(absl::string_view key, absl::string_view value, Show show) {
  return AddField(*this, key, std::string(value), show);
}
Record& Record::Int(absl::string_view key, int64_t value, Show show) {
  return AddField(*this, key, value, show);
}
Record& Record::Bool(absl::string_view key, bool value, Show show) {
  return AddField(*this, key, value, show);
}
Record& Record::List(absl::string_view key, std::vector<std::string> values, Show show) {
  return AddField(*this, key, std::move(values), show);
}
Record& Record::Table(absl::string_view key, std::vector<Record> rows, Show show) {
  return AddField(*this, key, std::move(rows), show);
}

std::string TerminalSafe(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string RenderJson(const Record& record) {
  base::JsonWriter json;
  WriteRecord(json, record);
  return json.str() + "\n";
}

std::string RenderHuman(const Record& record) {
  size_t width = 0;
  for (const Field& field : record.fields) {
    if (field.show == Show::kAlways && !std::holds_alternative<std::vector<Record>>(field.value)) {
      width = std::max(width, Width(Label(field.key)));
    }
  }
  std::string out;
  bool wrote_line = false;
  for (const Field& field : record.fields) {
    if (field.show != Show::kAlways) continue;
    if (const auto* rows = std::get_if<std::vector<Record>>(&field.value)) {
      if (wrote_line) out += "\n";
      RenderTable(out, field, *rows);
    } else {
      absl::StrAppend(&out, Pad(absl::StrCat(Label(field.key), ":"), width + 2),
                      HumanValue(field.value), "\n");
    }
    wrote_line = true;
  }
  return out;
}

std::string RenderJsonError(const absl::Status& status) {
  base::JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  json.Key("code").String(CodeName(status.code()));
  json.Key("message").String(status.message());
  const std::string reason = ReasonOf(status);
  if (!reason.empty()) json.Key("reason").String(reason);
  json.Key("exit_code").Int(ExitCodeOf(status));
  json.EndObject().EndObject();
  return json.str() + "\n";
}

Output::Output(bool json, FILE* out, FILE* err)
    : Output(json, out, err, ::isatty(::fileno(err)) == 1) {}

void Output::Result(const Record& record) {
  EndProgress();
  const std::string text = json_ ? RenderJson(record) : RenderHuman(record);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void Output::Note(absl::string_view text) {
  if (json_) return;
  EndProgress();
  std::fprintf(err_, "%s\n", TerminalSafe(text).c_str());
  std::fflush(err_);
}

void Output::Error(const absl::Status& status) {
  EndProgress();
  std::fprintf(err_, "clipforge: %s\n", TerminalSafe(status.message()).c_str());
  std::fflush(err_);
  if (json_) {
    const std::string text = RenderJsonError(status);
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }
}

void Output::Text(absl::string_view text) {
  EndProgress();
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void Output::Progress(absl::string_view line) {
  if (json_) return;
  const std::string safe = TerminalSafe(line);
  if (!err_is_terminal_) {
    std::fprintf(err_, "%s\n", safe.c_str());
  } else {
    // Blanks cover what is left of a longer previous line.
    const size_t width = Width(safe);
    std::fprintf(err_, "\r%s%s", safe.c_str(),
                 std::string(progress_width_ > width ? progress_width_ - width : 0, ' ').c_str());
    progress_width_ = std::max<size_t>(width, 1);
  }
  std::fflush(err_);
}

void Output::EndProgress() {
  if (progress_width_ == 0) return;
  std::fputc('\n', err_);
  std::fflush(err_);
  progress_width_ = 0;
}

}  // namespace clipforge::cli
