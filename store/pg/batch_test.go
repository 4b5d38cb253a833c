package pg

import (
	"slices"
	"testing"
)

// A group's statements go by team, and within a team as their calls came:
// every batch takes the teams' sequence rows in one order, so batches on
// two replicas queue rather than deadlock (TestAddsAcrossReplicasManyTeams).
func TestAddBatchOrder(t *testing.T) {
	var b addBatch
	for _, team := range []string{"T2", "T1", "T2", "T10", "T1", "T3"} {
		b.add(team, nil, nil)
	}
	if got, want := b.order(), []int{1, 4, 3, 0, 2, 5}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v (T1, T10, T2, T3, each in arrival order)", got, want)
	}
}
