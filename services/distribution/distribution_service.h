// The distribution service's gRPC edge: Distribution for spokespeople and the gateway,
// Catalog for the subscription service. Handlers authenticate, apply the access policy
// and run the logic (Publisher, Catalog) on a worker.
#pragma once

#include "pressrelay/distribution/v1/distribution.grpc.pb.h"
#include "services/common/edge.h"
#include "services/common/worker_pool.h"
#include "services/distribution/catalog.h"
#include "services/distribution/publisher.h"

namespace pressrelay::distribution {

class DeliveryReporter;

class DistributionService final : public v1::Distribution::CallbackService {
 public:
  DistributionService(Publisher* publisher, Catalog* catalog, DeliveryReporter* reporter, Edge* edge)
      : publisher_(publisher), catalog_(catalog), reporter_(reporter), edge_(edge) {}

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx, const v1::PublishRequest* request,
                                    v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* Revise(grpc::CallbackServerContext* ctx, const v1::ReviseRequest* request,
                                   v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* GetStatement(grpc::CallbackServerContext* ctx, const v1::GetStatementRequest* request,
                                         Statement* response) override;
  grpc::ServerUnaryReactor* ListStatements(grpc::CallbackServerContext* ctx,
                                           const v1::ListStatementsRequest* request,
                                           v1::ListStatementsResponse* response) override;
  grpc::ServerUnaryReactor* GetDeliveryReport(grpc::CallbackServerContext* ctx,
                                              const v1::GetDeliveryReportRequest* request,
                                              v1::DeliveryReport* response) override;

 private:
  Publisher* const publisher_;
  Catalog* const catalog_;
  DeliveryReporter* const reporter_;
  Edge* const edge_;
};

class CatalogService final : public v1::Catalog::CallbackService {
 public:
  CatalogService(Catalog* catalog, Edge* edge) : catalog_(catalog), edge_(edge) {}

  grpc::ServerUnaryReactor* BatchGetVersions(grpc::CallbackServerContext* ctx,
                                             const v1::BatchGetVersionsRequest* request,
                                             v1::BatchGetVersionsResponse* response) override;
  grpc::ServerUnaryReactor* QueryHistory(grpc::CallbackServerContext* ctx, const v1::QueryHistoryRequest* request,
                                         v1::QueryHistoryResponse* response) override;

 private:
  Catalog* const catalog_;
  Edge* const edge_;
};

}  // namespace pressrelay::distribution
