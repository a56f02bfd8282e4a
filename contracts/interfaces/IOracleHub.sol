// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IOracleHub
/// @notice Outside data (such as the energy price in each zone) reported by staked oracle nodes. Each feed has a
/// governed set of oracles; only its eligible, unslashed members report, once per round. A round closes when every
/// member has reported, or once `roundTimeout` has passed: then, if at least the quorum reported, and the quorum is
/// a strict majority of the set, the answer is the median of the round's reports, moved at most `maxChangeBps` from
/// the previous answer; otherwise the round is discarded. So a minority of the set can neither close a round nor
/// choose its median, and even a captured median moves the answer only a bounded step per round. A report further
/// than `deviationBps` from the round's median costs its oracle `reportBond` of its stake. An answer older than
/// the feed's `maxAge` is stale: readers get an error (or `ok == false`), never the stale value.
interface IOracleHub {
    /// @notice A feed's configuration and latest answer.
    struct Feed {
        /// Seconds after which an answer is stale (0: no such feed).
        uint32 maxAge;
        /// The round open for reports.
        uint64 roundId;
        /// When the open round received its first report (0: none yet).
        uint64 roundStartedAt;
        /// The latest finalized answer.
        uint256 answer;
        /// When it was finalized (0: never).
        uint64 answeredAt;
        /// The round it came from.
        uint64 answeredInRound;
    }

    /// @notice Bounds on how a round's median becomes an answer, and what a far-off report costs.
    /// @param maxChangeBps The most an answer may move from the previous one in one round.
    /// @param deviationBps How far from the round's median a report may be before its oracle is penalized.
    /// @param reportBond What a penalized oracle loses of its stake.
    struct OracleParameters {
        uint16 maxChangeBps;
        uint16 deviationBps;
        uint96 reportBond;
    }

    /// @notice An address given at initialization was zero.
    error OracleZeroAddress();
    /// @notice The reporter is not in the feed's oracle set.
    error OracleNotInSet(bytes32 feedId, address reporter);
    /// @notice A feed's oracle set is empty, too large, repeats an oracle, or is too small for its quorum to be a
    /// strict majority of it.
    error OracleInvalidSet(bytes32 feedId, uint256 size, uint256 quorum);
    /// @notice The round is still open: not every oracle has reported and it has not timed out.
    error OracleRoundOpen(bytes32 feedId, uint64 roundId, uint256 closesAt);
    /// @notice The feed does not exist.
    error OracleUnknownFeed(bytes32 feedId);
    /// @notice The feed exists already.
    error OracleFeedExists(bytes32 feedId);
    /// @notice The reporter is not an eligible oracle node (registered, active, Oracle role, minimum stake).
    error OracleNotEligible(address reporter);
    /// @notice The reporter was slashed within the slashing window.
    error OracleReporterSlashed(address reporter, uint256 recentOffences);
    /// @notice The reporter already reported in this round.
    error OracleAlreadyReported(bytes32 feedId, uint64 roundId, address reporter);
    /// @notice The feed has never reached quorum.
    error OracleNoAnswer(bytes32 feedId);
    /// @notice The feed's answer is older than its maximum age.
    error OracleStale(bytes32 feedId, uint256 answeredAt, uint256 maxAge);
    /// @notice A governed parameter was set outside its hard bounds.
    error OracleParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);

    /// @notice Governance added a feed.
    event FeedAdded(bytes32 indexed feedId, string description, uint32 maxAge);
    /// @notice Governance changed a feed's maximum age.
    event FeedMaxAgeSet(bytes32 indexed feedId, uint32 maxAge);
    /// @notice An oracle reported `value` in round `roundId`.
    event Reported(bytes32 indexed feedId, uint64 indexed roundId, address indexed oracle, uint256 value);
    /// @notice Round `roundId` reached quorum; `answer` is the median of its `reports` values.
    event RoundFinalized(bytes32 indexed feedId, uint64 indexed roundId, uint256 answer, uint256 reports);
    /// @notice Round `roundId` timed out under quorum with `reports` reports, which were dropped.
    event RoundDiscarded(bytes32 indexed feedId, uint64 indexed roundId, uint256 reports);
    /// @notice Governance changed the quorum.
    event QuorumSet(uint256 quorum);
    /// @notice Governance changed the round timeout.
    event RoundTimeoutSet(uint256 roundTimeout);
    /// @notice Governance set the oracles that report `feedId` and the quorum of its rounds.
    event FeedOraclesSet(bytes32 indexed feedId, address[] oracles, uint256 quorum);
    /// @notice Governance set the answer and penalty bounds.
    event OracleParametersSet(OracleParameters parameters);
    /// @notice `oracle`'s report in round `roundId` was further than the deviation bound from the median.
    event ReportPenalized(
        bytes32 indexed feedId,
        uint64 indexed roundId,
        address indexed oracle,
        uint256 value,
        uint256 amount
    );

    /// @notice Reports `value` for `feedId`'s open round (closing it first if it has timed out).
    /// @dev Only eligible, unslashed members of the feed's set; not while paused.
    function report(bytes32 feedId, uint256 value) external;

    /// @notice Closes `feedId`'s timed-out round: publishes its answer if it reached quorum, discards it otherwise.
    function closeRound(bytes32 feedId) external;

    /// @notice Adds a feed whose answers go stale after `maxAge` seconds.
    /// @dev Restricted (governance).
    function addFeed(bytes32 feedId, string calldata description, uint32 maxAge) external;

    /// @notice Changes a feed's maximum age.
    /// @dev Restricted (governance).
    function setFeedMaxAge(bytes32 feedId, uint32 maxAge) external;

    /// @notice Sets the default quorum, which a feed's set may raise (see {setFeedOracles}).
    /// @dev Restricted (governance).
    function setQuorum(uint256 quorum) external;

    /// @notice Sets the oracles that report `feedId` and the quorum of its rounds, which must be a strict majority
    /// of the set. The open round, if any, is discarded.
    /// @dev Restricted (governance).
    function setFeedOracles(bytes32 feedId, address[] calldata oracles, uint256 quorum) external;

    /// @notice Sets the answer and penalty bounds.
    /// @dev Restricted (governance).
    function setParameters(OracleParameters calldata parameters) external;

    /// @notice Sets how long a round may wait for quorum.
    /// @dev Restricted (governance).
    function setRoundTimeout(uint256 roundTimeout) external;

    /// @notice The latest answer of `feedId` and when it was finalized; reverts when there is none or it is stale.
    function latest(bytes32 feedId) external view returns (uint256 answer, uint256 answeredAt);

    /// @notice Like {latest}, without reverting: `ok` is false when there is no fresh answer.
    function tryLatest(bytes32 feedId) external view returns (bool ok, uint256 answer);

    /// @notice A feed's configuration and state.
    function feed(bytes32 feedId) external view returns (Feed memory);

    /// @notice The values reported so far in `feedId`'s open round.
    function pendingReports(bytes32 feedId) external view returns (uint256[] memory);

    /// @notice The default quorum.
    function quorum() external view returns (uint256);

    /// @notice The oracles that report `feedId`, and its quorum.
    function feedOracles(bytes32 feedId) external view returns (address[] memory oracles, uint256 quorum);

    function parameters() external view returns (OracleParameters memory);

    /// @notice How long a round may wait for quorum, in seconds.
    function roundTimeout() external view returns (uint256);
}
