// Connects the pipeline's CheckObserver to the metrics: every check run is observed in
// portcullis_check_duration_seconds{check}, and a failed run (error, timeout) also counts in
// portcullis_check_failures_total{check,reason}.
#pragma once

#include "gateway/metrics/metrics.h"
#include "gateway/pipeline/pipeline.h"

namespace portcullis::metrics {

// `metrics` must outlive every Pipeline given the observer.
CheckObserver observeChecks(Metrics& metrics);

}  // namespace portcullis::metrics
