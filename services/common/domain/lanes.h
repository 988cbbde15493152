// The two lanes every recipient's deliveries travel in, and a position in each.
//
// Priority items (kills, withholds, corrections, flash items of urgency 1-2) overtake
// routine ones. A position is the sequence number of the last item seen in a lane; a pair of
// them is where a newsroom is (its cursor, its acknowledgement).
#pragma once

#include <array>
#include <cstdint>

namespace pressrelay {

enum class Lane : int { kPriority = 0, kRoutine = 1 };
inline constexpr int kLanes = 2;

// Positions in the two lanes: everything at or below has been seen.
using Positions = std::array<int64_t, kLanes>;

}  // namespace pressrelay
