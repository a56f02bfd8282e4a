// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";

/// @title Staking
/// @notice AGPU stakes, collateral locks, the unbonding queue and escalating slashes.
contract Staking is ProtocolUpgradeable, ReentrancyGuardTransient, IStaking {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Bounds that governance cannot cross
    // ---------------------------------------------------------------------------------------------

    uint256 public constant MAX_MINIMUM_STAKE = 10_000_000 ether;
    uint256 public constant MIN_UNBONDING_PERIOD = 1 days;
    uint256 public constant MAX_UNBONDING_PERIOD = 60 days;
    uint256 public constant MIN_SLASH_BPS = 100;
    uint256 public constant MAX_SLASH_BPS = 10_000;
    uint256 public constant MIN_SLASH_WINDOW = 1 days;
    uint256 public constant MAX_SLASH_WINDOW = 365 days;
    uint256 public constant MAX_BOUNTY_BPS = 5_000;
    /// @notice A bounty is a reward for the gas of proving a fault, never a share worth engineering a fault for.
    uint256 public constant MAX_BOUNTY_CAP = 100 ether;
    /// @notice Pending unbondings per node: bounds the work of a withdrawal.
    uint256 public constant MAX_PENDING_UNBONDINGS = 16;

    bytes32 private constant _TREASURY_REASON = keccak256("staking.slash");
    uint256 private constant _BPS = 10_000;

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    struct NodeStake {
        uint256 staked;
        uint256 locked;
        uint256 unbonding;
        Unbonding[] queue;
        uint64[3] offences;
    }

    /// @custom:storage-location erc7201:starminer.storage.Staking
    struct StakingStorage {
        IERC20 token;
        ITreasury treasury;
        mapping(address node => NodeStake) nodes;
        mapping(uint8 role => uint256 amount) minimumStake;
        uint256 unbondingPeriod;
        SlashPolicy slashPolicy;
        mapping(address account => uint256 amount) unpaidBounty;
        uint256 unpaidTreasury;
        uint256 totalStaked;
        uint256 totalUnbonding;
        uint256 totalUnpaidBounties;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.Staking")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STAKING_STORAGE = 0xfdd738a38a57e7108a11624a4ed33b3a6759c7fe7aa6105ae613dbf0502bfc00;

    function _s() private pure returns (StakingStorage storage $) {
        assembly {
            $.slot := _STAKING_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param token_ AGPU.
    /// @param treasury_ Where the treasury's share of slashes goes.
    function initialize(address authority, address token_, address treasury_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (token_ == address(0) || treasury_ == address(0)) revert StakingZeroAddress();
        StakingStorage storage $ = _s();
        $.token = IERC20(token_);
        $.treasury = ITreasury(treasury_);
        _setMinimumStake(NodeRoles.PROVIDER, 1_000 ether);
        _setMinimumStake(NodeRoles.VALIDATOR, 5_000 ether);
        _setMinimumStake(NodeRoles.ORACLE, 2_000 ether);
        _setUnbondingPeriod(7 days);
        _setSlashPolicy(
            SlashPolicy({
                tierBps: [uint16(5_000), 7_500, 10_000],
                window: 90 days,
                bountyBps: 1_000,
                maxBounty: 1 ether
            })
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Nodes
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IStaking
    function stake(uint256 amount) external whenNotPaused nonReentrant {
        _stake(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function stakeWithPermit(
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        // A front-run permit leaves the allowance in place: the transfer below then still succeeds, and fails
        // with the token's own error if the allowance is really missing.
        try IERC20Permit(address(_s().token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function requestUnbond(uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        StakingStorage storage $ = _s();
        NodeStake storage node = $.nodes[msg.sender];
        uint256 available = node.staked - node.locked;
        if (amount > available) revert StakingInsufficientAvailableStake(msg.sender, amount, available);
        if (node.queue.length >= MAX_PENDING_UNBONDINGS) {
            revert StakingTooManyUnbondings(msg.sender, node.queue.length);
        }
        uint256 releaseAt = block.timestamp + $.unbondingPeriod;
        node.staked -= amount;
        node.unbonding += amount;
        node.queue.push(Unbonding({amount: uint128(amount), releaseAt: uint64(releaseAt)}));
        $.totalStaked -= amount;
        $.totalUnbonding += amount;
        emit UnbondingRequested(msg.sender, amount, releaseAt, node.staked);
    }

    /// @inheritdoc IStaking
    function withdraw() external whenNotPaused nonReentrant returns (uint256 amount) {
        StakingStorage storage $ = _s();
        NodeStake storage node = $.nodes[msg.sender];
        Unbonding[] storage queue = node.queue;
        uint256 nextReleaseAt;
        uint256 kept;
        uint256 length = queue.length;
        for (uint256 i = 0; i < length; ++i) {
            Unbonding memory entry = queue[i];
            if (entry.releaseAt <= block.timestamp) {
                amount += entry.amount;
            } else {
                if (nextReleaseAt == 0 || entry.releaseAt < nextReleaseAt) nextReleaseAt = entry.releaseAt;
                queue[kept] = entry;
                ++kept;
            }
        }
        if (amount == 0) revert StakingNothingToWithdraw(msg.sender, nextReleaseAt);
        for (uint256 i = kept; i < length; ++i) queue.pop();
        node.unbonding -= amount;
        $.totalUnbonding -= amount;
        emit Withdrawn(msg.sender, amount);
        $.token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function claimBounty() external nonReentrant returns (uint256 amount) {
        StakingStorage storage $ = _s();
        amount = $.unpaidBounty[msg.sender];
        if (amount == 0) revert StakingNothingToClaim(msg.sender);
        $.unpaidBounty[msg.sender] = 0;
        $.totalUnpaidBounties -= amount;
        emit BountyClaimed(msg.sender, amount);
        $.token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function sweepToTreasury() external nonReentrant returns (uint256 amount) {
        StakingStorage storage $ = _s();
        amount = $.unpaidTreasury;
        if (amount == 0) revert StakingNothingToClaim(address($.treasury));
        $.unpaidTreasury = 0;
        emit SweptToTreasury(address($.treasury), amount);
        $.token.forceApprove(address($.treasury), amount);
        $.treasury.receiveFee($.token, amount, _TREASURY_REASON);
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IStaking
    function lockCollateral(address node, uint256 amount) external restricted {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage n = _s().nodes[node];
        uint256 available = n.staked - n.locked;
        if (amount > available) revert StakingInsufficientAvailableStake(node, amount, available);
        n.locked += amount;
        emit CollateralLocked(node, amount, n.locked);
    }

    /// @inheritdoc IStaking
    function unlockCollateral(address node, uint256 amount) external restricted {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage n = _s().nodes[node];
        _requireLocked(n, node, amount);
        n.locked -= amount;
        emit CollateralUnlocked(node, amount, n.locked);
    }

    /// @inheritdoc IStaking
    function slashCollateral(
        address node,
        uint256 collateral,
        bytes32 reason,
        address prover,
        bool fraud
    ) external restricted returns (uint256 amount) {
        if (node == address(0)) revert StakingZeroAddress();
        if (collateral == 0) revert StakingZeroAmount();
        StakingStorage storage $ = _s();
        NodeStake storage n = $.nodes[node];
        _requireLocked(n, node, collateral);
        SlashPolicy memory policy = $.slashPolicy;

        uint256 offence = _recordOffence(n, policy.window);
        uint256 tier = fraud || offence > 3 ? 2 : offence - 1;
        amount = (collateral * policy.tierBps[tier]) / _BPS;
        // The whole collateral leaves the lock: `amount` of it is taken, the rest is free stake again.
        n.locked -= collateral;
        n.staked -= amount;
        $.totalStaked -= amount;

        uint256 bounty = prover == address(0) ? 0 : (amount * policy.bountyBps) / _BPS;
        if (bounty > policy.maxBounty) bounty = policy.maxBounty;
        if (bounty != 0) {
            $.unpaidBounty[prover] += bounty;
            $.totalUnpaidBounties += bounty;
        }
        $.unpaidTreasury += amount - bounty;
        emit Slashed(node, reason, prover, amount, collateral, bounty, offence);
    }

    /// @inheritdoc IStaking
    function forfeitCollateral(
        address node,
        uint256 amount,
        bytes32 reason,
        address recipient
    ) external restricted nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        StakingStorage storage $ = _s();
        NodeStake storage n = $.nodes[node];
        _requireLocked(n, node, amount);
        n.locked -= amount;
        n.staked -= amount;
        $.totalStaked -= amount;
        emit CollateralForfeited(node, reason, recipient, amount);
        if (recipient == address(0)) $.unpaidTreasury += amount;
        else $.token.safeTransfer(recipient, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IStaking
    function setMinimumStake(uint8 role, uint256 amount) external restricted {
        _setMinimumStake(role, amount);
    }

    /// @inheritdoc IStaking
    function setUnbondingPeriod(uint256 period) external restricted {
        _setUnbondingPeriod(period);
    }

    /// @inheritdoc IStaking
    function setSlashPolicy(SlashPolicy calldata policy) external restricted {
        _setSlashPolicy(policy);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IStaking
    function token() external view returns (address) {
        return address(_s().token);
    }

    /// @inheritdoc IStaking
    function treasury() external view returns (address) {
        return address(_s().treasury);
    }

    /// @inheritdoc IStaking
    function stakeOf(address node) external view returns (uint256) {
        return _s().nodes[node].staked;
    }

    /// @inheritdoc IStaking
    function lockedOf(address node) external view returns (uint256) {
        return _s().nodes[node].locked;
    }

    /// @inheritdoc IStaking
    function availableOf(address node) external view returns (uint256) {
        NodeStake storage n = _s().nodes[node];
        return n.staked - n.locked;
    }

    /// @inheritdoc IStaking
    function unbondingOf(address node) external view returns (uint256) {
        return _s().nodes[node].unbonding;
    }

    /// @inheritdoc IStaking
    function unbondingsOf(address node) external view returns (Unbonding[] memory) {
        return _s().nodes[node].queue;
    }

    /// @inheritdoc IStaking
    function meetsMinimum(address node, uint8 role) external view returns (bool) {
        if (!NodeRoles.isSingleRole(role)) revert StakingInvalidRole(role);
        StakingStorage storage $ = _s();
        return $.nodes[node].staked >= $.minimumStake[role];
    }

    /// @inheritdoc IStaking
    function minimumStake(uint8 role) external view returns (uint256) {
        if (!NodeRoles.isSingleRole(role)) revert StakingInvalidRole(role);
        return _s().minimumStake[role];
    }

    /// @inheritdoc IStaking
    function unbondingPeriod() external view returns (uint256) {
        return _s().unbondingPeriod;
    }

    /// @inheritdoc IStaking
    function slashPolicy() external view returns (SlashPolicy memory) {
        return _s().slashPolicy;
    }

    /// @inheritdoc IStaking
    function recentOffences(address node) external view returns (uint256 count) {
        StakingStorage storage $ = _s();
        return _countRecent($.nodes[node].offences, $.slashPolicy.window);
    }

    /// @inheritdoc IStaking
    function unpaidBountyOf(address account) external view returns (uint256) {
        return _s().unpaidBounty[account];
    }

    /// @inheritdoc IStaking
    function unpaidTreasury() external view returns (uint256) {
        return _s().unpaidTreasury;
    }

    /// @inheritdoc IStaking
    function totalStaked() external view returns (uint256) {
        return _s().totalStaked;
    }

    /// @inheritdoc IStaking
    function totalUnbonding() external view returns (uint256) {
        return _s().totalUnbonding;
    }

    /// @inheritdoc IStaking
    function totalUnpaidBounties() external view returns (uint256) {
        return _s().totalUnpaidBounties;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _stake(address node, uint256 amount) private {
        if (amount == 0) revert StakingZeroAmount();
        StakingStorage storage $ = _s();
        NodeStake storage n = $.nodes[node];
        n.staked += amount;
        $.totalStaked += amount;
        emit Staked(node, amount, n.staked);
        $.token.safeTransferFrom(node, address(this), amount);
    }

    /// @dev Records an offence now and returns its rank (1, 2, 3, ...) among the offences within `window`.
    function _recordOffence(NodeStake storage n, uint256 window) private returns (uint256 rank) {
        rank = _countRecent(n.offences, window) + 1;
        // Replace the oldest remembered offence: only the three most recent can ever matter.
        uint256 oldest = 0;
        for (uint256 i = 1; i < 3; ++i) {
            if (n.offences[i] < n.offences[oldest]) oldest = i;
        }
        n.offences[oldest] = uint64(block.timestamp);
    }

    function _countRecent(uint64[3] storage offences, uint256 window) private view returns (uint256 count) {
        for (uint256 i = 0; i < 3; ++i) {
            uint256 at = offences[i];
            if (at != 0 && block.timestamp - at < window) ++count;
        }
    }

    /// @dev A caller that releases or slashes more than it locked has lost track of a claim: refuse, rather than
    /// take another job's collateral.
    function _requireLocked(NodeStake storage n, address node, uint256 amount) private view {
        uint256 locked = n.locked;
        if (amount > locked) revert StakingCollateralNotLocked(node, amount, locked);
    }

    function _setMinimumStake(uint8 role, uint256 amount) private {
        if (!NodeRoles.isSingleRole(role)) revert StakingInvalidRole(role);
        _checkBounds("minimumStake", amount, 0, MAX_MINIMUM_STAKE);
        _s().minimumStake[role] = amount;
        emit MinimumStakeSet(role, amount);
    }

    function _setUnbondingPeriod(uint256 period) private {
        _checkBounds("unbondingPeriod", period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        _s().unbondingPeriod = period;
        emit UnbondingPeriodSet(period);
    }

    function _setSlashPolicy(SlashPolicy memory policy) private {
        for (uint256 i = 0; i < 3; ++i) {
            _checkBounds("slashTierBps", policy.tierBps[i], MIN_SLASH_BPS, MAX_SLASH_BPS);
            if (i > 0 && policy.tierBps[i] < policy.tierBps[i - 1]) revert StakingSlashTiersNotAscending();
        }
        _checkBounds("slashWindow", policy.window, MIN_SLASH_WINDOW, MAX_SLASH_WINDOW);
        _checkBounds("bountyBps", policy.bountyBps, 0, MAX_BOUNTY_BPS);
        _checkBounds("maxBounty", policy.maxBounty, 0, MAX_BOUNTY_CAP);
        _s().slashPolicy = policy;
        emit SlashPolicySet(policy.tierBps, policy.window, policy.bountyBps, policy.maxBounty);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert StakingParameterOutOfBounds(parameter, value, min, max);
    }
}
