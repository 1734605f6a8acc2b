package polka

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"chirpy/internal/database"
)

const pruneBatch = 5000

// PruneInbox deletes the deliveries received before cutoff, a batch at a time,
// and returns how many it deleted.
func PruneInbox(ctx context.Context, q *database.Queries, cutoff time.Time) (int64, error) {
	var total int64
	for {
		n, err := q.PruneWebhookInbox(ctx, database.PruneWebhookInboxParams{ReceivedBefore: cutoff, BatchSize: pruneBatch})
		total += n
		if err != nil {
			return total, fmt.Errorf("prune webhook inbox: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// RunPruner prunes deliveries older than InboxRetention now and then every
// interval, until ctx is done. Several servers may each run one; deleting what
// another already deleted is harmless.
func RunPruner(ctx context.Context, q *database.Queries, logger *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := PruneInbox(ctx, q, time.Now().Add(-InboxRetention))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("pruning the webhook inbox failed; will try again", "error", err, "next_in", interval)
		case n > 0:
			logger.Info("pruned the webhook inbox", "deleted", n, "older_than", InboxRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
