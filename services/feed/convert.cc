#include "services/feed/convert.h"

#include "feed/originality.h"
#include "services/feed/request_parsing.h"
#include "services/kit/proto_time.h"

namespace clipforge::feed_service {
namespace {

v1::FeedReasonType ReasonType(feed::FeedReason reason) {
  switch (reason) {
    case feed::FeedReason::kFollowingCreator: return v1::FEED_REASON_TYPE_FOLLOWING_CREATOR;
    case feed::FeedReason::kForkOfLikedClip: return v1::FEED_REASON_TYPE_FORK_OF_LIKED_CLIP;
    case feed::FeedReason::kInYourEchoChamber: return v1::FEED_REASON_TYPE_IN_YOUR_ECHO_CHAMBER;
    case feed::FeedReason::kEchoedFromChamber: return v1::FEED_REASON_TYPE_ECHOED_FROM_CHAMBER;
    case feed::FeedReason::kOriginalPick: return v1::FEED_REASON_TYPE_ORIGINAL_PICK;
    case feed::FeedReason::kNewCreator: return v1::FEED_REASON_TYPE_NEW_CREATOR;
    case feed::FeedReason::kTrendingInTheme: return v1::FEED_REASON_TYPE_TRENDING_IN_THEME;
    case feed::FeedReason::kAskedForMore: return v1::FEED_REASON_TYPE_ASKED_FOR_MORE;
    case feed::FeedReason::kPersonalizedTheme: return v1::FEED_REASON_TYPE_PERSONALIZED_THEME;
    case feed::FeedReason::kExploration: return v1::FEED_REASON_TYPE_EXPLORATION;
  }
  return v1::FEED_REASON_TYPE_UNSPECIFIED;
}

void FillReason(feed::FeedReason reason, const ServedItem& item, v1::FeedReason* out) {
  out->set_type(ReasonType(reason));
  const feed::Candidate& c = item.candidate;
  switch (reason) {
    case feed::FeedReason::kFollowingCreator:
    case feed::FeedReason::kNewCreator:
      out->set_creator_id(c.creator_id);
      break;
    case feed::FeedReason::kForkOfLikedClip:
      out->set_related_clip_id(item.liked_parent_id);
      break;
    case feed::FeedReason::kInYourEchoChamber:
    case feed::FeedReason::kEchoedFromChamber:
    case feed::FeedReason::kTrendingInTheme:
    case feed::FeedReason::kPersonalizedTheme:
      if (!c.theme_ids.empty()) out->set_theme_id(c.theme_ids.front());
      break;
    default:
      break;
  }
}

v1::OriginalityComponentKind ComponentKind(const std::string& name) {
  if (name == feed::kPromptComponent) return v1::ORIGINALITY_COMPONENT_KIND_PROMPT_NEAR_DUPLICATE;
  if (name == feed::kMediaComponent) return v1::ORIGINALITY_COMPONENT_KIND_MEDIA_NEAR_DUPLICATE;
  if (name == feed::kForkComponent) return v1::ORIGINALITY_COMPONENT_KIND_FORK_DELTA;
  if (name == feed::kSelfRepetitionComponent) return v1::ORIGINALITY_COMPONENT_KIND_SELF_REPETITION;
  if (name == feed::kTrendComponent) return v1::ORIGINALITY_COMPONENT_KIND_TREND_FOLLOWING;
  return v1::ORIGINALITY_COMPONENT_KIND_UNSPECIFIED;
}

v1::ReachAppealState AppealStateOf(const ReachPenaltyRecord& penalty) {
  if (!penalty.appealed_at) return v1::REACH_APPEAL_STATE_NONE;
  switch (penalty.decision) {
    case ReachAppealDecision::kNone: return v1::REACH_APPEAL_STATE_PENDING;
    case ReachAppealDecision::kUpheld: return v1::REACH_APPEAL_STATE_UPHELD;
    case ReachAppealDecision::kLifted: return v1::REACH_APPEAL_STATE_LIFTED;
  }
  return v1::REACH_APPEAL_STATE_UNSPECIFIED;
}

v1::PersonalizationMode ModeOf(PersonalizationMode mode) {
  switch (mode) {
    case PersonalizationMode::kPersonalized: return v1::PERSONALIZATION_MODE_PERSONALIZED;
    case PersonalizationMode::kNonPersonalized: return v1::PERSONALIZATION_MODE_NON_PERSONALIZED;
    case PersonalizationMode::kColdStart: return v1::PERSONALIZATION_MODE_COLD_START;
  }
  return v1::PERSONALIZATION_MODE_UNSPECIFIED;
}

}  // namespace

void FillPage(const FeedPage& page, v1::GetFeedResponse* out) {
  for (const ServedItem& item : page.items) {
    v1::FeedItem* f = out->add_items();
    f->set_clip_id(item.candidate.clip_id);
    for (feed::FeedReason reason : item.reasons) FillReason(reason, item, f->add_reasons());
    f->mutable_score()->set_score(item.breakdown.score);
    for (const feed::ScoreFactor& factor : item.breakdown.Factors()) {
      v1::ScoreFactor* sf = f->mutable_score()->add_factors();
      sf->set_name(std::string(factor.name));
      sf->set_value(factor.value);
    }
    f->mutable_originality()->set_score(item.candidate.originality);
    f->mutable_originality()->set_copy(item.candidate.is_copy);
    f->set_feed_context(FeedContextFor(item));
  }
  out->set_next_page_token(page.next_page_token);
  out->set_personalization_mode(ModeOf(page.mode));
  out->set_feed_request_id(page.request_id);
}

void FillExplanation(const FeedClipRecord& clip, v1::ClipExplanation* out) {
  out->set_clip_id(clip.clip_id);
  out->mutable_originality()->set_score(clip.originality);
  out->mutable_originality()->set_copy(clip.is_copy);
  for (const feed::OriginalityComponent& c : clip.components) {
    v1::OriginalityComponent* oc = out->add_components();
    oc->set_kind(ComponentKind(c.name));
    oc->set_penalty(c.penalty);
    oc->set_factor(c.factor);
    for (const std::string& id : c.clip_ids) oc->add_matched_clip_ids(id);
  }
  *out->mutable_compute_time() = kit::ToTimestamp(clip.originality_time);
}

void FillWeights(const WeightsRecord& weights, v1::RankingWeights* out) {
  out->set_originality(weights.originality);
  out->set_freshness(weights.freshness);
  out->set_following_vs_discovery(weights.following_vs_discovery);
  out->set_exploration_share(weights.exploration_share);
  for (const auto& [theme, weight] : weights.theme_weights) {
    v1::ThemeWeight* t = out->add_theme_weights();
    t->set_theme_id(theme);
    t->set_weight(weight);
  }
  if (weights.update_time) *out->mutable_update_time() = kit::ToTimestamp(*weights.update_time);
}

void FillTheme(const ThemeView& view, v1::Theme* out) {
  const ThemeRecord& t = view.theme;
  out->set_theme_id(t.theme_id);
  out->set_slug(t.slug);
  out->set_display_name(t.display_name);
  out->set_description(t.description);
  for (const std::string& tag : t.tags) out->add_tags(tag);
  out->set_member_count(t.member_count);
  out->set_clip_count(view.clip_count);
  out->set_joined(view.joined);
  *out->mutable_create_time() = kit::ToTimestamp(t.create_time);
}

void FillReachStatus(const ReachView& view, v1::ReachStatus* out) {
  out->set_creator_id(view.creator_id);
  out->set_active(view.active);
  out->set_reach(view.reach);
  if (!view.penalty) {
    out->set_appeal_state(v1::REACH_APPEAL_STATE_NONE);
    return;
  }
  const ReachPenaltyRecord& p = *view.penalty;
  *out->mutable_start_time() = kit::ToTimestamp(p.started_at);
  *out->mutable_end_time() = kit::ToTimestamp(p.until);
  out->set_copies(p.copies);
  for (const std::string& id : p.copy_clip_ids) out->add_copy_clip_ids(id);
  out->set_appeal_state(AppealStateOf(p));
  if (p.appeal_statement) out->set_appeal_statement(*p.appeal_statement);
  if (p.appealed_at) *out->mutable_appeal_time() = kit::ToTimestamp(*p.appealed_at);
  out->set_decision_note(p.decision_note);
  if (p.decided_at) *out->mutable_decide_time() = kit::ToTimestamp(*p.decided_at);
  if (p.lifted_at) *out->mutable_lift_time() = kit::ToTimestamp(*p.lifted_at);
}

}  // namespace clipforge::feed_service
