// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IReputation
/// @notice Each provider's track record as three moving averages in basis points (0 to 10 000):
/// reliability (delivers what it claims), accuracy (its results verify) and speed (how early within the
/// deadline). Every recorded outcome moves the averages toward the observation by a governed weight. Without
/// activity, each average decays toward neutral (5 000), halving its distance every `decayHalfLife`; the decay
/// is computed when read, so no keeper is needed. The composite score is a governed weighting of the three.
///
/// Reputation must cost something to earn: a completed job moves the averages in proportion to what it paid (a job
/// worth `referenceValue` or more moves them by the full learning rate, a tiny one barely at all), while a missed or
/// faulty job always moves them fully; and the score that eligibility reads stays at neutral until the provider has
/// completed jobs of at least `referenceValue` for `minDistinctRequesters` different requesters.
interface IReputation {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice What happened to one of a provider's jobs.
    enum Outcome {
        /// Delivered on time with a result that verified.
        Completed,
        /// Missed its deadline.
        Missed,
        /// Delivered a result that failed verification, an audit or a dispute.
        Faulty
    }

    /// @notice A provider's reputation as stored at `updatedAt` (before decay since then).
    struct Record {
        uint16 reliability;
        uint16 accuracy;
        uint16 speed;
        uint64 updatedAt;
        uint32 completed;
        uint32 missed;
        uint32 faulty;
        uint32 distinctRequesters;
    }

    /// @notice The governed weights and rates.
    struct Parameters {
        /// The weight of a new observation in the moving average, in basis points.
        uint16 learningRateBps;
        /// Seconds for an average's distance from neutral to halve without activity.
        uint32 decayHalfLife;
        /// The composite score's weights; they sum to 10 000.
        uint16 reliabilityWeightBps;
        uint16 accuracyWeightBps;
        uint16 speedWeightBps;
        /// What a completed job must pay for the full learning rate, and to count its requester as distinct.
        uint96 referenceValue;
        /// How many distinct requesters a provider needs before its score may rise above neutral for eligibility.
        uint8 minDistinctRequesters;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice The provider address was zero.
    error ReputationZeroAddress();
    /// @notice A speed observation above 10 000 basis points.
    error ReputationInvalidSpeed(uint256 speedBps);
    /// @notice A governed parameter was set outside its hard bounds.
    error ReputationParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The composite weights do not sum to 10 000.
    error ReputationWeightsDoNotSum(uint256 sum);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A provider's reputation changed after `outcome`; the scores are the new stored values.
    /// @notice `provider` completed a job of at least the reference value for `requester`, a requester it had not
    /// served so before; `distinctRequesters` is the new count.
    event RequesterCounted(address indexed provider, address indexed requester, uint32 distinctRequesters);

    event ReputationUpdated(
        address indexed provider,
        Outcome indexed outcome,
        uint16 reliability,
        uint16 accuracy,
        uint16 speed,
        uint16 composite,
        bytes32 indexed jobRef
    );
    /// @notice Governance changed the parameters.
    event ReputationParametersSet(Parameters parameters);

    // ---------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------

    /// @notice Records `outcome` of job `jobRef` for `provider`.
    /// @param speedBps For a completed job, how early it was delivered: 10 000 at once, 0 at the deadline.
    /// Ignored for other outcomes.
    /// @param value What the job paid for the provider's part (its share of the escrow).
    /// @param requester Who paid it.
    /// @dev Restricted (REPUTATION_WRITER).
    function recordOutcome(
        address provider,
        Outcome outcome,
        uint16 speedBps,
        bytes32 jobRef,
        uint256 value,
        address requester
    ) external;

    /// @notice Sets the parameters.
    /// @dev Restricted (governance). Decay is computed when read, with the half-life in force then.
    function setParameters(Parameters calldata parameters) external;

    /// @notice `provider`'s reliability, accuracy and speed, decayed to now.
    function scoresOf(address provider) external view returns (uint16 reliability, uint16 accuracy, uint16 speed);

    /// @notice `provider`'s composite score, decayed to now.
    function compositeOf(address provider) external view returns (uint16);

    /// @notice The score the market's reputation floors read: the composite, held at neutral at most until the
    /// provider has served enough distinct requesters.
    function eligibilityScoreOf(address provider) external view returns (uint16);

    /// @notice `provider`'s stored record (scores as of its last update, and counters).
    function recordOf(address provider) external view returns (Record memory);

    /// @notice The governed parameters.
    function parameters() external view returns (Parameters memory);
}
