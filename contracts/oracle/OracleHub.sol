// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";

/// @title OracleHub
/// @notice Feeds from staked oracle nodes: rounds, quorum, median, staleness.
contract OracleHub is ProtocolUpgradeable, IOracleHub {
    uint256 public constant MIN_QUORUM = 1;
    uint256 public constant MAX_QUORUM = 15;
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
    }

    // ---------------------------------------------------------------------------------------------
    // Reporting
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IOracleHub
    function report(bytes32 feedId, uint256 value) external whenNotPaused {
        OracleHubStorage storage $ = _s();
        Feed storage f = _feed(feedId);
        _checkReporter($.registry, msg.sender);

        uint256[] storage pending = $.pending[feedId];
        if (pending.length != 0 && block.timestamp - f.roundStartedAt > $.roundTimeout) {
            emit RoundDiscarded(feedId, f.roundId, pending.length);
            delete $.pending[feedId];
            ++f.roundId;
        }
        uint64 roundId = f.roundId;
        if ($.reported[feedId][roundId][msg.sender]) revert OracleAlreadyReported(feedId, roundId, msg.sender);
        $.reported[feedId][roundId][msg.sender] = true;
        if (pending.length == 0) f.roundStartedAt = uint64(block.timestamp);
        pending.push(value);
        emit Reported(feedId, roundId, msg.sender, value);

        if (pending.length >= $.quorum) {
            uint256 answer = _median(pending);
            f.answer = answer;
            f.answeredAt = uint64(block.timestamp);
            f.answeredInRound = roundId;
            emit RoundFinalized(feedId, roundId, answer, pending.length);
            delete $.pending[feedId];
            f.roundId = roundId + 1;
            f.roundStartedAt = 0;
        }
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

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _feed(bytes32 feedId) private view returns (Feed storage f) {
        f = _s().feeds[feedId];
        if (f.maxAge == 0) revert OracleUnknownFeed(feedId);
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

    function _setRoundTimeout(uint256 roundTimeout_) private {
        _checkBounds("roundTimeout", roundTimeout_, MIN_ROUND_TIMEOUT, MAX_ROUND_TIMEOUT);
        _s().roundTimeout = roundTimeout_;
        emit RoundTimeoutSet(roundTimeout_);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert OracleParameterOutOfBounds(parameter, value, min, max);
    }
}
