// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";

/// @title OracleHub
/// @notice Feeds from governed sets of staked oracle nodes: rounds, a majority quorum, a bounded median,
/// penalties for far-off reports, staleness.
contract OracleHub is ProtocolUpgradeable, IOracleHub {
    uint256 public constant MIN_QUORUM = 1;
    uint256 public constant MAX_QUORUM = 15;
    /// @notice The most oracles a feed may have: a round's close walks them all.
    uint256 public constant MAX_FEED_ORACLES = 29;
    uint256 public constant MIN_CHANGE_BPS = 100;
    uint256 public constant MAX_CHANGE_BPS = 10_000;
    uint256 public constant MIN_DEVIATION_BPS = 100;
    uint256 public constant MAX_DEVIATION_BPS = 10_000;
    uint256 public constant MAX_REPORT_BOND = 100_000 ether;

    /// @notice The slash reason of an oracle whose report was far from its round's median.
    bytes32 public constant SLASH_ORACLE_DEVIATION = keccak256("oracle.deviation");

    uint256 private constant _BPS = 10_000;
    uint256 public constant MIN_ROUND_TIMEOUT = 1 minutes;
    uint256 public constant MAX_ROUND_TIMEOUT = 1 days;
    uint256 public constant MIN_MAX_AGE = 1 minutes;
    uint256 public constant MAX_MAX_AGE = 7 days;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.OracleHub
    struct OracleHubStorage {
        INodeRegistry registry;
        uint256 quorum;
        uint256 roundTimeout;
        mapping(bytes32 feedId => Feed) feeds;
        mapping(bytes32 feedId => uint256[] values) pending;
        mapping(bytes32 feedId => mapping(uint64 roundId => mapping(address oracle => bool))) reported;
        mapping(bytes32 feedId => address[] oracles) pendingReporters;
        mapping(bytes32 feedId => address[] oracles) oracleSets;
        mapping(bytes32 feedId => mapping(address oracle => bool)) inSet;
        mapping(bytes32 feedId => uint256 quorum) feedQuorum;
        OracleParameters parameters;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.OracleHub")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _ORACLE_HUB_STORAGE = 0x5bf369233d2b4964d1bc3559923d875002a42402d315b971aff7b3bd4adf4c00;

    function _s() private pure returns (OracleHubStorage storage $) {
        assembly {
            $.slot := _ORACLE_HUB_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param registry_ The node registry that says who is an eligible oracle.
    function initialize(address authority, address registry_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (registry_ == address(0)) revert OracleZeroAddress();
        _s().registry = INodeRegistry(registry_);
        _setQuorum(3);
        _setRoundTimeout(1 hours);
        _setParameters(OracleParameters({maxChangeBps: 2_000, deviationBps: 2_000, reportBond: 100 ether}));
    }

    // ---------------------------------------------------------------------------------------------
    // Reporting
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IOracleHub
    function report(bytes32 feedId, uint256 value) external whenNotPaused {
        OracleHubStorage storage $ = _s();
        Feed storage f = _feed(feedId);
        if (!$.inSet[feedId][msg.sender]) revert OracleNotInSet(feedId, msg.sender);
        _checkReporter($.registry, msg.sender);

        uint256[] storage pending = $.pending[feedId];
        if (pending.length != 0 && block.timestamp - f.roundStartedAt > $.roundTimeout) _close($, feedId, f);
        uint64 roundId = f.roundId;
        if ($.reported[feedId][roundId][msg.sender]) revert OracleAlreadyReported(feedId, roundId, msg.sender);
        $.reported[feedId][roundId][msg.sender] = true;
        if (pending.length == 0) f.roundStartedAt = uint64(block.timestamp);
        pending.push(value);
        $.pendingReporters[feedId].push(msg.sender);
        emit Reported(feedId, roundId, msg.sender, value);

        // Everyone has spoken: no reason to wait for the timeout.
        if (pending.length == $.oracleSets[feedId].length) _close($, feedId, f);
    }

    /// @inheritdoc IOracleHub
    function closeRound(bytes32 feedId) external whenNotPaused {
        OracleHubStorage storage $ = _s();
        Feed storage f = _feed(feedId);
        uint256 closesAt = f.roundStartedAt + $.roundTimeout;
        if ($.pending[feedId].length == 0 || block.timestamp <= closesAt) {
            revert OracleRoundOpen(feedId, f.roundId, closesAt);
        }
        _close($, feedId, f);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IOracleHub
    function addFeed(bytes32 feedId, string calldata description, uint32 maxAge) external restricted {
        Feed storage f = _s().feeds[feedId];
        if (f.maxAge != 0) revert OracleFeedExists(feedId);
        _checkBounds("maxAge", maxAge, MIN_MAX_AGE, MAX_MAX_AGE);
        f.maxAge = maxAge;
        emit FeedAdded(feedId, description, maxAge);
    }

    /// @inheritdoc IOracleHub
    function setFeedMaxAge(bytes32 feedId, uint32 maxAge) external restricted {
        Feed storage f = _feed(feedId);
        _checkBounds("maxAge", maxAge, MIN_MAX_AGE, MAX_MAX_AGE);
        f.maxAge = maxAge;
        emit FeedMaxAgeSet(feedId, maxAge);
    }

    /// @inheritdoc IOracleHub
    function setQuorum(uint256 quorum_) external restricted {
        _setQuorum(quorum_);
    }

    /// @inheritdoc IOracleHub
    function setRoundTimeout(uint256 roundTimeout_) external restricted {
        _setRoundTimeout(roundTimeout_);
    }

    /// @inheritdoc IOracleHub
    function setFeedOracles(bytes32 feedId, address[] calldata oracles, uint256 quorum_) external restricted {
        OracleHubStorage storage $ = _s();
        Feed storage f = _feed(feedId);
        uint256 size = oracles.length;
        // The quorum must be a strict majority of the set, and at least the protocol-wide floor.
        if (size == 0 || size > MAX_FEED_ORACLES || quorum_ > size || quorum_ * 2 <= size || quorum_ < $.quorum) {
            revert OracleInvalidSet(feedId, size, quorum_);
        }
        address[] storage previous = $.oracleSets[feedId];
        for (uint256 i = 0; i < previous.length; ++i) $.inSet[feedId][previous[i]] = false;
        for (uint256 i = 0; i < size; ++i) {
            if ($.inSet[feedId][oracles[i]]) revert OracleInvalidSet(feedId, size, quorum_);
            $.inSet[feedId][oracles[i]] = true;
        }
        $.oracleSets[feedId] = oracles;
        $.feedQuorum[feedId] = quorum_;
        emit FeedOraclesSet(feedId, oracles, quorum_);
        // Reports gathered under the old set do not count towards the new one.
        uint256 pending = $.pending[feedId].length;
        if (pending != 0) {
            emit RoundDiscarded(feedId, f.roundId, pending);
            _nextRound($, feedId, f);
        }
    }

    /// @inheritdoc IOracleHub
    function setParameters(OracleParameters calldata parameters_) external restricted {
        _setParameters(parameters_);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IOracleHub
    function latest(bytes32 feedId) external view returns (uint256 answer, uint256 answeredAt) {
        Feed storage f = _feed(feedId);
        if (f.answeredAt == 0) revert OracleNoAnswer(feedId);
        if (block.timestamp - f.answeredAt > f.maxAge) revert OracleStale(feedId, f.answeredAt, f.maxAge);
        return (f.answer, f.answeredAt);
    }

    /// @inheritdoc IOracleHub
    function tryLatest(bytes32 feedId) external view returns (bool ok, uint256 answer) {
        Feed storage f = _s().feeds[feedId];
        if (f.maxAge == 0 || f.answeredAt == 0 || block.timestamp - f.answeredAt > f.maxAge) return (false, 0);
        return (true, f.answer);
    }

    /// @inheritdoc IOracleHub
    function feed(bytes32 feedId) external view returns (Feed memory) {
        return _s().feeds[feedId];
    }

    /// @inheritdoc IOracleHub
    function pendingReports(bytes32 feedId) external view returns (uint256[] memory) {
        return _s().pending[feedId];
    }

    /// @inheritdoc IOracleHub
    function quorum() external view returns (uint256) {
        return _s().quorum;
    }

    /// @inheritdoc IOracleHub
    function roundTimeout() external view returns (uint256) {
        return _s().roundTimeout;
    }

    /// @inheritdoc IOracleHub
    function feedOracles(bytes32 feedId) external view returns (address[] memory oracles, uint256 quorum_) {
        OracleHubStorage storage $ = _s();
        return ($.oracleSets[feedId], $.feedQuorum[feedId]);
    }

    /// @inheritdoc IOracleHub
    function parameters() external view returns (OracleParameters memory) {
        return _s().parameters;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _feed(bytes32 feedId) private view returns (Feed storage f) {
        f = _s().feeds[feedId];
        if (f.maxAge == 0) revert OracleUnknownFeed(feedId);
    }

    /// @dev Closes the open round: publishes the bounded median and penalizes far-off reports when it reached the
    /// feed's quorum, discards it otherwise; then opens the next round.
    function _close(OracleHubStorage storage $, bytes32 feedId, Feed storage f) private {
        uint256[] memory values = $.pending[feedId];
        address[] memory reporters = $.pendingReporters[feedId];
        uint64 roundId = f.roundId;
        if (values.length >= $.feedQuorum[feedId]) {
            uint256 median = _median(_copy(values));
            uint256 answer = _bounded(f, median, $.parameters.maxChangeBps);
            f.answer = answer;
            f.answeredAt = uint64(block.timestamp);
            f.answeredInRound = roundId;
            emit RoundFinalized(feedId, roundId, answer, values.length);
            _nextRound($, feedId, f);
            _penalizeDeviants($, feedId, roundId, values, reporters, median);
        } else {
            emit RoundDiscarded(feedId, roundId, values.length);
            _nextRound($, feedId, f);
        }
    }

    function _nextRound(OracleHubStorage storage $, bytes32 feedId, Feed storage f) private {
        delete $.pending[feedId];
        delete $.pendingReporters[feedId];
        ++f.roundId;
        f.roundStartedAt = 0;
    }

    /// @dev The median, moved at most `maxChangeBps` from the previous answer (a first answer, or one after a zero,
    /// is taken as it is).
    function _bounded(Feed storage f, uint256 median, uint256 maxChangeBps) private view returns (uint256) {
        uint256 previous = f.answer;
        if (f.answeredAt == 0 || previous == 0) return median;
        uint256 step = (previous * maxChangeBps) / _BPS;
        if (median > previous + step) return previous + step;
        if (median + step < previous) return previous - step;
        return median;
    }

    /// @dev Each report further than the deviation bound from the median costs its oracle the report bond (as far
    /// as its free stake goes), slashed through a collateral lock so that it escalates like any other fault.
    function _penalizeDeviants(
        OracleHubStorage storage $,
        bytes32 feedId,
        uint64 roundId,
        uint256[] memory values,
        address[] memory reporters,
        uint256 median
    ) private {
        OracleParameters memory p = $.parameters;
        if (p.reportBond == 0) return;
        IStaking staking = IStaking($.registry.staking());
        for (uint256 i = 0; i < values.length; ++i) {
            uint256 value = values[i];
            uint256 distance = value > median ? value - median : median - value;
            if (distance * _BPS <= median * p.deviationBps) continue;
            uint256 available = staking.availableOf(reporters[i]);
            uint256 bond = available < p.reportBond ? available : p.reportBond;
            if (bond == 0) continue;
            staking.lockCollateral(reporters[i], bond);
            uint256 slashed = staking.slashCollateral(reporters[i], bond, SLASH_ORACLE_DEVIATION, address(0), false);
            emit ReportPenalized(feedId, roundId, reporters[i], value, slashed);
        }
    }

    function _copy(uint256[] memory values) private pure returns (uint256[] memory copy) {
        copy = new uint256[](values.length);
        for (uint256 i = 0; i < values.length; ++i) copy[i] = values[i];
    }

    function _checkReporter(INodeRegistry registry, address reporter) private view {
        if (!registry.isEligible(reporter, NodeRoles.ORACLE)) revert OracleNotEligible(reporter);
        uint256 offences = IStaking(registry.staking()).recentOffences(reporter);
        if (offences != 0) revert OracleReporterSlashed(reporter, offences);
    }

    /// @dev The median of at most MAX_QUORUM values (insertion sort in memory); the mean of the two middle values,
    /// rounded down, for an even count.
    function _median(uint256[] memory values) private pure returns (uint256) {
        uint256 length = values.length;
        for (uint256 i = 1; i < length; ++i) {
            uint256 value = values[i];
            uint256 j = i;
            while (j > 0 && values[j - 1] > value) {
                values[j] = values[j - 1];
                --j;
            }
            values[j] = value;
        }
        uint256 middle = length / 2;
        if (length % 2 == 1) return values[middle];
        // Overflow-free mean of the two middle values.
        uint256 low = values[middle - 1];
        return low + (values[middle] - low) / 2;
    }

    function _setQuorum(uint256 quorum_) private {
        _checkBounds("quorum", quorum_, MIN_QUORUM, MAX_QUORUM);
        _s().quorum = quorum_;
        emit QuorumSet(quorum_);
    }

    function _setParameters(OracleParameters memory p) private {
        _checkBounds("maxChangeBps", p.maxChangeBps, MIN_CHANGE_BPS, MAX_CHANGE_BPS);
        _checkBounds("deviationBps", p.deviationBps, MIN_DEVIATION_BPS, MAX_DEVIATION_BPS);
        _checkBounds("reportBond", p.reportBond, 0, MAX_REPORT_BOND);
        _s().parameters = p;
        emit OracleParametersSet(p);
    }

    function _setRoundTimeout(uint256 roundTimeout_) private {
        _checkBounds("roundTimeout", roundTimeout_, MIN_ROUND_TIMEOUT, MAX_ROUND_TIMEOUT);
        _s().roundTimeout = roundTimeout_;
        emit RoundTimeoutSet(roundTimeout_);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert OracleParameterOutOfBounds(parameter, value, min, max);
    }
}
