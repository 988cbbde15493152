// The distribution service's gRPC edge: Distribution for spokespeople, press officers and
// operators (directly or through the admin gateway), Catalog for the subscription service,
// Questions for journalists and newsrooms and the agencies they ask.
// Each is an EdgeService (edge.h): the handlers registered in the constructors only call the
// logic (Publisher, Catalog, DeliveryReporter, DraftDesk, QuestionDesk).
// The two have separate edges and worker pools, so the subscription service's catalog reads
// never queue behind publishes.
#pragma once

#include "pressrelay/distribution/v1/distribution.grpc.pb.h"
#include "services/common/rpc/edge.h"
#include "services/distribution/catalog.h"
#include "services/distribution/delivery_reporter.h"
#include "services/distribution/draft_desk.h"
#include "services/distribution/obligation_desk.h"
#include "services/distribution/publisher.h"
#include "services/distribution/question_desk.h"
#include "services/distribution/statement_search.h"

namespace pressrelay::distribution {

class DistributionService final : public EdgeService<v1::Distribution> {
 public:
  DistributionService(Publisher* publisher, Catalog* catalog, DeliveryReporter* reporter, DraftDesk* desk,
                      ObligationDesk* obligations, Edge* edge);
};

class CatalogService final : public EdgeService<v1::Catalog> {
 public:
  CatalogService(Catalog* catalog, StatementSearch* search, Edge* edge);
};

// Journalists' questions to agencies (QuestionDesk), on the Distribution service's edge: its
// answers are publishes, and share their workers.
class QuestionsService final : public EdgeService<v1::Questions> {
 public:
  QuestionsService(QuestionDesk* desk, Edge* edge);
};

}  // namespace pressrelay::distribution
