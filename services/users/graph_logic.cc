#include "services/users/graph_logic.h"

#include "base/status_macros.h"
#include "services/users/page_token.h"
#include "services/users/result_codecs.h"

namespace clipforge::users {
namespace {

// Applies `op`; returns whether anything changed.
bool Apply(UsersTx& tx, GraphOp op, const std::string& me, const std::string& target, absl::Time now) {
  switch (op) {
    case GraphOp::kFollow: return tx.InsertFollow(me, target, now);
    case GraphOp::kUnfollow: return tx.DeleteFollow(me, target);
    case GraphOp::kBlock: {
      const bool changed = tx.InsertBlock(me, target, now);
      // A block ends follows both ways.
      tx.DeleteFollow(me, target);
      tx.DeleteFollow(target, me);
      return changed;
    }
    case GraphOp::kUnblock: return tx.DeleteBlock(me, target);
    case GraphOp::kMute: return tx.InsertMute(me, target, now);
    case GraphOp::kUnmute: return tx.DeleteMute(me, target);
  }
  return false;
}

}  // namespace

absl::StatusOr<RelationshipView> GraphLogic::Change(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                    GraphOp op, const std::string& target) {
  RelationshipView result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    if (target == caller.user_id) return absl::InvalidArgumentError("target_user_id: cannot be yourself");
    CF_ASSIGN_OR_RETURN(
        result, kit::RunIdempotent(tx, key, kRelationshipCodec, [&]() -> absl::StatusOr<RelationshipView> {
          // Both rows locked in id order: a block cannot race a follow.
          tx.LockPair(caller.user_id, target);
          CF_ASSIGN_OR_RETURN(const Account me, RequireAccount(tx, caller));
          if (!tx.AccountById(target)) return absl::NotFoundError("target_user_id: no such user");
          const Relation before = tx.RelationBetween(caller.user_id, target);
          CF_RETURN_IF_ERROR(CheckGraphChange(op, before, me.following_count, options_.max_following));
          if (Apply(tx, op, caller.user_id, target, clock_.Now())) {
            CF_RETURN_IF_ERROR(tx.AppendEvent(events_.GraphChanged(op, caller.user_id, target)));
          }
          return RelationshipView{target, tx.RelationBetween(caller.user_id, target)};
        }));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<ListPage> GraphLogic::List(const kit::Caller& caller, ListKind kind, const std::string& user_id,
                                          int page_size, const std::string& page_token) {
  const std::string subject = IsOwnList(kind) ? caller.user_id : user_id;
  ListPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(const std::optional<ListCursor> after, DecodePageToken(page_token, kind, subject));
    if (!IsOwnList(kind)) {
      if (!tx.AccountById(subject)) return absl::NotFoundError("user_id: no such user");
      if (subject != caller.user_id && HiddenFrom(tx.RelationBetween(caller.user_id, subject))) {
        return absl::NotFoundError("user_id: no such user");
      }
    }
    page.users = tx.List(kind, subject, caller.user_id, after, page_size + 1);
    page.next_page_token.clear();
    if (static_cast<int>(page.users.size()) > page_size) {
      page.users.resize(page_size);
      page.next_page_token = EncodePageToken(kind, subject, {page.users.back().since, page.users.back().user_id});
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace clipforge::users
