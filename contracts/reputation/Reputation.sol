// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {IReputation} from "../interfaces/IReputation.sol";

/// @title Reputation
/// @notice Providers' reliability, accuracy and speed as decaying moving averages.
/// @dev `recordOutcome` is not pausable: it is called inside job settlement, which a pause here must not block.
contract Reputation is ProtocolUpgradeable, IReputation {
    uint16 public constant NEUTRAL = 5_000;
    uint16 public constant MAX_SCORE = 10_000;

    uint256 public constant MIN_LEARNING_RATE_BPS = 100;
    uint256 public constant MAX_LEARNING_RATE_BPS = 5_000;
    uint256 public constant MIN_DECAY_HALF_LIFE = 1 days;
    uint256 public constant MAX_DECAY_HALF_LIFE = 365 days;
    uint256 public constant MIN_REFERENCE_VALUE = 1 ether;
    uint256 public constant MAX_REFERENCE_VALUE = 1_000_000 ether;
    uint256 public constant MAX_MIN_DISTINCT_REQUESTERS = 20;

    uint256 private constant _BPS = 10_000;
    /// @dev After this many half-lives any distance from neutral (at most 5 000 < 2^13) has decayed to zero.
    uint256 private constant _FULL_DECAY_HALVINGS = 13;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.Reputation
    struct ReputationStorage {
        mapping(address provider => Record) records;
        Parameters parameters;
        mapping(address provider => mapping(address requester => bool)) served;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.Reputation")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _REPUTATION_STORAGE = 0x3fa13168b93f5d8d7a4be0fb7cf6fb531801d90122c0d1f227711621eeddd500;

    function _s() private pure returns (ReputationStorage storage $) {
        assembly {
            $.slot := _REPUTATION_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    function initialize(address authority) external initializer {
        __ProtocolUpgradeable_init(authority);
        _setParameters(
            Parameters({
                learningRateBps: 1_000,
                decayHalfLife: 30 days,
                reliabilityWeightBps: 4_000,
                accuracyWeightBps: 4_000,
                speedWeightBps: 2_000,
                referenceValue: 10 ether,
                minDistinctRequesters: 2
            })
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Writes (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IReputation
    function recordOutcome(
        address provider,
        Outcome outcome,
        uint16 speedBps,
        bytes32 jobRef,
        uint256 value,
        address requester
    ) external restricted {
        if (provider == address(0)) revert ReputationZeroAddress();
        if (speedBps > MAX_SCORE) revert ReputationInvalidSpeed(speedBps);
        ReputationStorage storage $ = _s();
        Parameters memory p = $.parameters;
        Record storage record = $.records[provider];
        (uint16 reliability, uint16 accuracy, uint16 speed) = _decayed(record, p.decayHalfLife);

        if (outcome == Outcome.Completed) {
            // Self-dealing in tiny jobs buys next to nothing: a completion counts in proportion to what it paid.
            uint256 rate =
                value >= p.referenceValue ? p.learningRateBps : (p.learningRateBps * value) / p.referenceValue;
            reliability = _move(reliability, MAX_SCORE, rate);
            accuracy = _move(accuracy, MAX_SCORE, rate);
            speed = _move(speed, speedBps, rate);
            ++record.completed;
            if (value >= p.referenceValue && !$.served[provider][requester]) {
                $.served[provider][requester] = true;
                emit RequesterCounted(provider, requester, ++record.distinctRequesters);
            }
        } else if (outcome == Outcome.Missed) {
            reliability = _move(reliability, 0, p.learningRateBps);
            ++record.missed;
        } else {
            accuracy = _move(accuracy, 0, p.learningRateBps);
            ++record.faulty;
        }
        record.reliability = reliability;
        record.accuracy = accuracy;
        record.speed = speed;
        record.updatedAt = uint64(block.timestamp);
        emit ReputationUpdated(
            provider,
            outcome,
            reliability,
            accuracy,
            speed,
            _composite(reliability, accuracy, speed, p),
            jobRef
        );
    }

    /// @inheritdoc IReputation
    function setParameters(Parameters calldata parameters_) external restricted {
        _setParameters(parameters_);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IReputation
    function scoresOf(address provider) external view returns (uint16 reliability, uint16 accuracy, uint16 speed) {
        ReputationStorage storage $ = _s();
        return _decayed($.records[provider], $.parameters.decayHalfLife);
    }

    /// @inheritdoc IReputation
    function compositeOf(address provider) external view returns (uint16) {
        ReputationStorage storage $ = _s();
        return _compositeNow($.records[provider], $.parameters);
    }

    /// @inheritdoc IReputation
    function eligibilityScoreOf(address provider) external view returns (uint16 score) {
        ReputationStorage storage $ = _s();
        Parameters memory p = $.parameters;
        Record storage record = $.records[provider];
        score = _compositeNow(record, p);
        if (score > NEUTRAL && record.distinctRequesters < p.minDistinctRequesters) score = NEUTRAL;
    }

    /// @inheritdoc IReputation
    function recordOf(address provider) external view returns (Record memory) {
        return _s().records[provider];
    }

    /// @inheritdoc IReputation
    function parameters() external view returns (Parameters memory) {
        return _s().parameters;
    }

    // ---------------------------------------------------------------------------------------------
    // Math
    // ---------------------------------------------------------------------------------------------

    /// @dev The stored scores decayed to now; a provider without a record is neutral.
    function _decayed(Record storage record, uint256 halfLife) private view returns (uint16, uint16, uint16) {
        uint256 updatedAt = record.updatedAt;
        if (updatedAt == 0) return (NEUTRAL, NEUTRAL, NEUTRAL);
        uint256 elapsed = block.timestamp - updatedAt;
        return (
            _decay(record.reliability, elapsed, halfLife),
            _decay(record.accuracy, elapsed, halfLife),
            _decay(record.speed, elapsed, halfLife)
        );
    }

    /// @dev Moves `score` toward neutral: its distance halves every `halfLife`, and falls linearly in between,
    /// so the distance never grows with time and never overshoots neutral.
    function _decay(uint16 score, uint256 elapsed, uint256 halfLife) private pure returns (uint16) {
        uint256 halvings = elapsed / halfLife;
        if (halvings >= _FULL_DECAY_HALVINGS) return NEUTRAL;
        bool above = score >= NEUTRAL;
        uint256 distance = above ? score - NEUTRAL : NEUTRAL - score;
        distance >>= halvings;
        distance -= (distance * (elapsed % halfLife)) / (2 * halfLife);
        // Safe casts: `distance <= 5 000`, so both results lie in [0, 10 000].
        return uint16(above ? NEUTRAL + distance : NEUTRAL - distance);
    }

    /// @dev One step of the moving average: `score + (observation - score) * rate`, a convex combination of two
    /// values in [0, 10 000], so the result stays in that range.
    function _move(uint16 score, uint16 observation, uint256 rateBps) private pure returns (uint16) {
        if (observation >= score) return uint16(score + ((observation - score) * rateBps) / _BPS);
        return uint16(score - ((score - observation) * rateBps) / _BPS);
    }

    /// @dev The composite of a record's scores decayed to now.
    function _compositeNow(Record storage record, Parameters memory p) private view returns (uint16) {
        (uint16 reliability, uint16 accuracy, uint16 speed) = _decayed(record, p.decayHalfLife);
        return _composite(reliability, accuracy, speed, p);
    }

    function _composite(
        uint16 reliability,
        uint16 accuracy,
        uint16 speed,
        Parameters memory p
    ) private pure returns (uint16) {
        uint256 weighted =
            uint256(reliability) * p.reliabilityWeightBps +
                uint256(accuracy) * p.accuracyWeightBps +
                uint256(speed) * p.speedWeightBps;
        return uint16(weighted / _BPS);
    }

    function _setParameters(Parameters memory p) private {
        _checkBounds("learningRateBps", p.learningRateBps, MIN_LEARNING_RATE_BPS, MAX_LEARNING_RATE_BPS);
        _checkBounds("decayHalfLife", p.decayHalfLife, MIN_DECAY_HALF_LIFE, MAX_DECAY_HALF_LIFE);
        _checkBounds("referenceValue", p.referenceValue, MIN_REFERENCE_VALUE, MAX_REFERENCE_VALUE);
        _checkBounds("minDistinctRequesters", p.minDistinctRequesters, 0, MAX_MIN_DISTINCT_REQUESTERS);
        uint256 sum = uint256(p.reliabilityWeightBps) + p.accuracyWeightBps + p.speedWeightBps;
        if (sum != _BPS) revert ReputationWeightsDoNotSum(sum);
        _s().parameters = p;
        emit ReputationParametersSet(p);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ReputationParameterOutOfBounds(parameter, value, min, max);
    }
}
