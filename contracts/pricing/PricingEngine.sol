// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IPricingEngine} from "../interfaces/IPricingEngine.sol";

/// @title PricingEngine
/// @notice Zone- and tier-aware GPU-hour prices that follow utilisation, with energy floors and spillover.
contract PricingEngine is ProtocolUpgradeable, IPricingEngine {
    // ---------------------------------------------------------------------------------------------
    // Bounds that governance cannot cross
    // ---------------------------------------------------------------------------------------------

    uint256 public constant HARD_MIN_PRICE = 1e12; // 0.000001 AGPU per GPU-hour
    uint256 public constant HARD_MAX_PRICE = 1_000_000 ether;
    uint256 public constant MIN_EPOCH_DURATION = 5 minutes;
    uint256 public constant MAX_EPOCH_DURATION = 1 days;
    uint256 public constant MIN_TARGET_UTILISATION_BPS = 3_000;
    uint256 public constant MAX_TARGET_UTILISATION_BPS = 9_500;
    uint256 public constant MIN_STEP_BPS = 100;
    uint256 public constant MAX_STEP_BPS = 2_500;
    uint256 public constant MAX_MILLI_KWH_PER_GPU_HOUR = 10_000;
    uint256 public constant MIN_TIER_MULTIPLIER_BPS = 5_000;
    uint256 public constant MAX_TIER_MULTIPLIER_BPS = 30_000;
    uint256 public constant MAX_PENALTY_BPS = 5_000;
    uint256 public constant MIN_CONGESTION_THRESHOLD_BPS = 5_000;
    uint16 public constant DEFAULT_CONGESTION_THRESHOLD_BPS = 9_000;
    uint256 public constant MAX_NEIGHBOURS = 8;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _RAY = 1e27;
    bytes32 private constant _ENERGY_FEED = keccak256("starminer.feed.energy");

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.PricingEngine
    struct PricingEngineStorage {
        INodeRegistry registry;
        IOracleHub oracleHub;
        MarketParameters parameters;
        // Epoch numbering survives a change of epoch duration: epoch = epochBase + (now - epochOrigin) / duration.
        uint64 epochOrigin;
        uint64 epochBase;
        uint16[3] multiplierBps;
        uint16[3] reputationFloorBps;
        mapping(bytes32 zone => ZoneState) zones;
        mapping(bytes32 zone => bytes32[] neighbours) neighbours;
        // The penalty plus one, so that zero means "not neighbours".
        mapping(bytes32 zone => mapping(bytes32 neighbour => uint256 penaltyPlusOne)) links;
        mapping(bytes32 zone => uint16 thresholdBps) congestionThreshold;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.PricingEngine")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _PRICING_STORAGE = 0xa3b1761ec58003b2e2743b026889db84c37f685b8603df8d49d3a33257c78c00;

    function _s() private pure returns (PricingEngineStorage storage $) {
        assembly {
            $.slot := _PRICING_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The protocol's AccessManager.
    /// @param registry_ The node registry (zones, capacity).
    /// @param oracleHub_ The oracle hub (energy prices).
    function initialize(address authority, address registry_, address oracleHub_) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (registry_ == address(0) || oracleHub_ == address(0)) revert PricingZeroAddress();
        PricingEngineStorage storage $ = _s();
        $.registry = INodeRegistry(registry_);
        $.oracleHub = IOracleHub(oracleHub_);
        $.epochOrigin = uint64(block.timestamp);
        _setMarketParameters(
            MarketParameters({
                epochDuration: 1 hours,
                targetUtilisationBps: 7_000,
                maxStepBps: 1_250,
                milliKwhPerGpuHour: 700,
                minPrice: 0.01 ether,
                maxPrice: 10_000 ether,
                initialPrice: 2 ether
            })
        );
        _setTiers([uint16(8_000), 10_000, 15_000], [uint16(0), 4_000, 7_000]);
    }

    // ---------------------------------------------------------------------------------------------
    // Market
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPricingEngine
    function recordDemand(bytes32 zone, uint256 gpuHours) external restricted {
        _requireZone(zone);
        if (gpuHours == 0) revert PricingZeroHours();
        ZoneState storage state = _sync(zone);
        uint256 demand = state.demand + gpuHours;
        state.demand = uint128(Math.min(demand, type(uint128).max));
        emit DemandRecorded(zone, state.epoch, gpuHours, state.demand);
    }

    /// @inheritdoc IPricingEngine
    function poke(bytes32 zone) external {
        _requireZone(zone);
        _sync(zone);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPricingEngine
    function setMarketParameters(MarketParameters calldata parameters_) external restricted {
        PricingEngineStorage storage $ = _s();
        // Keep the epoch number continuous across a change of duration.
        $.epochBase = currentEpoch();
        $.epochOrigin = uint64(block.timestamp);
        _setMarketParameters(parameters_);
    }

    /// @inheritdoc IPricingEngine
    function setTiers(uint16[3] calldata multiplierBps, uint16[3] calldata reputationFloorBps) external restricted {
        _setTiers(multiplierBps, reputationFloorBps);
    }

    /// @inheritdoc IPricingEngine
    function setNeighbours(bytes32 zoneA, bytes32 zoneB, uint16 penaltyBps) external restricted {
        if (zoneA == zoneB) revert PricingSelfNeighbour(zoneA);
        _requireZone(zoneA);
        _requireZone(zoneB);
        _checkBounds("penaltyBps", penaltyBps, 0, MAX_PENALTY_BPS);
        _link(zoneA, zoneB, penaltyBps);
        _link(zoneB, zoneA, penaltyBps);
        emit NeighboursSet(zoneA, zoneB, penaltyBps);
    }

    /// @inheritdoc IPricingEngine
    function removeNeighbours(bytes32 zoneA, bytes32 zoneB) external restricted {
        PricingEngineStorage storage $ = _s();
        if ($.links[zoneA][zoneB] == 0) revert PricingNotNeighbours(zoneA, zoneB);
        _unlink(zoneA, zoneB);
        _unlink(zoneB, zoneA);
        emit NeighboursRemoved(zoneA, zoneB);
    }

    /// @inheritdoc IPricingEngine
    function setCongestionThreshold(bytes32 zone, uint16 thresholdBps) external restricted {
        _requireZone(zone);
        if (thresholdBps != 0) _checkBounds("congestionThreshold", thresholdBps, MIN_CONGESTION_THRESHOLD_BPS, _BPS);
        _s().congestionThreshold[zone] = thresholdBps;
        emit CongestionThresholdSet(zone, thresholdBps == 0 ? DEFAULT_CONGESTION_THRESHOLD_BPS : thresholdBps);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPricingEngine
    function quote(
        bytes32 zone,
        uint8 tier,
        uint256 gpuHours,
        uint256 redundancy,
        bool spilloverAllowed
    ) external view returns (Quote memory q) {
        _requireZone(zone);
        uint256 multiplier = _multiplier(tier);
        if (gpuHours == 0) revert PricingZeroHours();
        if (redundancy == 0 || redundancy > 3) revert PricingInvalidRedundancy(redundancy);

        q.requestedZone = zone;
        q.zone = zone;
        q.tier = tier;
        q.pricePerGpuHour = (_project(zone).basePrice * multiplier) / _BPS;
        if (spilloverAllowed && utilisationOf(zone) > congestionThresholdOf(zone)) {
            (bytes32 neighbour, uint256 price) = _cheapestUncongestedNeighbour(zone, multiplier);
            if (neighbour != bytes32(0) && price < q.pricePerGpuHour) {
                q.zone = neighbour;
                q.pricePerGpuHour = price;
                q.spilledOver = true;
            }
        }
        q.total = q.pricePerGpuHour * gpuHours * redundancy;
    }

    /// @inheritdoc IPricingEngine
    function priceOf(bytes32 zone, uint8 tier) external view returns (uint256) {
        _requireZone(zone);
        return (_project(zone).basePrice * _multiplier(tier)) / _BPS;
    }

    /// @inheritdoc IPricingEngine
    function basePriceOf(bytes32 zone) external view returns (uint256) {
        _requireZone(zone);
        return _project(zone).basePrice;
    }

    /// @inheritdoc IPricingEngine
    function utilisationOf(bytes32 zone) public view returns (uint256) {
        ZoneState memory state = _project(zone);
        return Math.max(state.lastUtilisationBps, _utilisation(state.demand, capacityOf(zone)));
    }

    /// @inheritdoc IPricingEngine
    function capacityOf(bytes32 zone) public view returns (uint256) {
        PricingEngineStorage storage $ = _s();
        return ($.registry.activeProviders(zone) * $.parameters.epochDuration) / 1 hours;
    }

    /// @inheritdoc IPricingEngine
    function energyFloorOf(bytes32 zone) public view returns (uint256) {
        PricingEngineStorage storage $ = _s();
        (bool ok, uint256 energyPrice) = $.oracleHub.tryLatest(energyFeedId(zone));
        return ok ? (energyPrice * $.parameters.milliKwhPerGpuHour) / 1_000 : 0;
    }

    /// @inheritdoc IPricingEngine
    function energyFeedId(bytes32 zone) public pure returns (bytes32) {
        return keccak256(abi.encode(_ENERGY_FEED, zone));
    }

    /// @inheritdoc IPricingEngine
    function zoneState(bytes32 zone) external view returns (ZoneState memory) {
        return _s().zones[zone];
    }

    /// @inheritdoc IPricingEngine
    function currentEpoch() public view returns (uint64) {
        PricingEngineStorage storage $ = _s();
        return uint64($.epochBase + (block.timestamp - $.epochOrigin) / $.parameters.epochDuration);
    }

    /// @inheritdoc IPricingEngine
    function marketParameters() external view returns (MarketParameters memory) {
        return _s().parameters;
    }

    /// @inheritdoc IPricingEngine
    function tierOf(uint8 tier) external view returns (uint16 multiplierBps, uint16 reputationFloorBps) {
        if (tier > uint8(Tier.Priority)) revert PricingUnknownTier(tier);
        PricingEngineStorage storage $ = _s();
        return ($.multiplierBps[tier], $.reputationFloorBps[tier]);
    }

    /// @inheritdoc IPricingEngine
    function neighboursOf(bytes32 zone) external view returns (bytes32[] memory zones, uint16[] memory penaltiesBps) {
        PricingEngineStorage storage $ = _s();
        zones = $.neighbours[zone];
        penaltiesBps = new uint16[](zones.length);
        for (uint256 i = 0; i < zones.length; ++i) {
            penaltiesBps[i] = uint16($.links[zone][zones[i]] - 1);
        }
    }

    /// @inheritdoc IPricingEngine
    function congestionThresholdOf(bytes32 zone) public view returns (uint16) {
        uint16 threshold = _s().congestionThreshold[zone];
        return threshold == 0 ? DEFAULT_CONGESTION_THRESHOLD_BPS : threshold;
    }

    // ---------------------------------------------------------------------------------------------
    // Epochs
    // ---------------------------------------------------------------------------------------------

    /// @dev Writes the projection of `zone` to storage and announces its price when the epoch moved (or the zone is
    /// touched for the first time). Within the epoch the zone was last written in, a projection would change nothing
    /// stored (the bounds clamp only what is read), so none is made: demand recorded again in an epoch reads neither
    /// the oracle nor the registry.
    function _sync(bytes32 zone) private returns (ZoneState storage state) {
        state = _s().zones[zone];
        uint64 epoch = currentEpoch();
        if (state.basePrice != 0 && state.epoch == epoch) return state;
        ZoneState memory projected = _projectAt(zone, epoch);
        state.basePrice = projected.basePrice;
        state.epoch = epoch;
        state.demand = 0;
        state.lastUtilisationBps = projected.lastUtilisationBps;
        emit PriceUpdated(zone, epoch, projected.basePrice, projected.lastUtilisationBps);
    }

    /// @dev `zone`'s state as it will be once the epochs it missed are applied: one step for the last epoch it was
    /// touched in (with that epoch's demand), then one declining step for each idle epoch after it, computed in
    /// closed form so that catching up on any number of epochs costs O(log n). The price is always within the
    /// current bounds, so an energy floor that rose within the epoch already applies.
    function _project(bytes32 zone) private view returns (ZoneState memory state) {
        return _projectAt(zone, currentEpoch());
    }

    /// @dev {_project} for the current `epoch`, which the caller has already read.
    function _projectAt(bytes32 zone, uint64 epoch) private view returns (ZoneState memory state) {
        PricingEngineStorage storage $ = _s();
        MarketParameters memory p = $.parameters;
        state = $.zones[zone];
        (uint256 lower, uint256 upper) = _priceBounds(zone, p);
        if (state.basePrice == 0) {
            return
                ZoneState({
                    basePrice: _clamp(p.initialPrice, lower, upper),
                    epoch: epoch,
                    demand: 0,
                    lastUtilisationBps: 0
                });
        }
        if (state.epoch == epoch) {
            state.basePrice = _clamp(state.basePrice, lower, upper);
            return state;
        }

        uint256 utilisation = _utilisation(state.demand, capacityOf(zone));
        uint256 price = _clamp(_step(state.basePrice, utilisation, p), lower, upper);
        uint256 idle = epoch - state.epoch - 1;
        if (idle != 0) price = _clamp(_decline(price, p.maxStepBps, idle), lower, upper);
        return
            ZoneState({
                basePrice: price,
                epoch: epoch,
                demand: 0,
                lastUtilisationBps: uint32(idle == 0 ? Math.min(utilisation, type(uint32).max) : 0)
            });
    }

    /// @dev One EIP-1559 step: the price moves by `maxStep * (utilisation - target) / target`, that ratio clamped to
    /// [-1, 1], so it never moves more than `maxStep` in one epoch.
    function _step(uint256 price, uint256 utilisationBps, MarketParameters memory p) private pure returns (uint256) {
        uint256 target = p.targetUtilisationBps;
        if (utilisationBps >= target) {
            uint256 deviation = Math.min(((utilisationBps - target) * _BPS) / target, _BPS);
            return price + Math.mulDiv(price, p.maxStepBps * deviation, _BPS * _BPS);
        }
        uint256 shortfall = ((target - utilisationBps) * _BPS) / target;
        return price - Math.mulDiv(price, p.maxStepBps * shortfall, _BPS * _BPS);
    }

    /// @dev `price * (1 - step)^epochs`, every rounding upward: the result is never below the exact value, so a
    /// catch-up never lowers the price by more than one step per epoch. (Single steps round each epoch up to the
    /// wei, so they can end a few wei higher than this closed form.)
    function _decline(uint256 price, uint256 stepBps, uint256 epochs) private pure returns (uint256) {
        uint256 factor = Math.mulDiv(_BPS - stepBps, _RAY, _BPS, Math.Rounding.Ceil);
        uint256 result = _RAY;
        while (epochs != 0) {
            if (epochs & 1 == 1) result = Math.mulDiv(result, factor, _RAY, Math.Rounding.Ceil);
            factor = Math.mulDiv(factor, factor, _RAY, Math.Rounding.Ceil);
            epochs >>= 1;
        }
        return Math.mulDiv(price, result, _RAY, Math.Rounding.Ceil);
    }

    function _utilisation(uint256 demand, uint256 capacity) private view returns (uint256) {
        if (capacity == 0) return demand == 0 ? 0 : 2 * _s().parameters.targetUtilisationBps;
        return (demand * _BPS) / capacity;
    }

    /// @dev The governed minimum or the energy floor, whichever is higher, and the governed maximum (which wins if
    /// the floor is above it: requesters' protection comes first, and governance must then raise the maximum).
    function _priceBounds(bytes32 zone, MarketParameters memory p) private view returns (uint256 lower, uint256 upper) {
        upper = p.maxPrice;
        lower = Math.min(Math.max(p.minPrice, energyFloorOf(zone)), upper);
    }

    function _clamp(uint256 value, uint256 lower, uint256 upper) private pure returns (uint256) {
        return
            value < lower
                ? lower
                : value > upper
                    ? upper
                    : value;
    }

    // ---------------------------------------------------------------------------------------------
    // Spillover
    // ---------------------------------------------------------------------------------------------

    function _cheapestUncongestedNeighbour(
        bytes32 zone,
        uint256 multiplier
    ) private view returns (bytes32 best, uint256 bestPrice) {
        PricingEngineStorage storage $ = _s();
        bytes32[] storage neighbours = $.neighbours[zone];
        for (uint256 i = 0; i < neighbours.length; ++i) {
            bytes32 neighbour = neighbours[i];
            if (!$.registry.isZoneEnabled(neighbour)) continue;
            if (utilisationOf(neighbour) >= congestionThresholdOf(neighbour)) continue;
            uint256 penalty = $.links[zone][neighbour] - 1;
            uint256 price = (_project(neighbour).basePrice * multiplier * (_BPS + penalty)) / (_BPS * _BPS);
            if (best == bytes32(0) || price < bestPrice) {
                best = neighbour;
                bestPrice = price;
            }
        }
    }

    function _link(bytes32 zone, bytes32 neighbour, uint16 penaltyBps) private {
        PricingEngineStorage storage $ = _s();
        if ($.links[zone][neighbour] == 0) {
            if ($.neighbours[zone].length >= MAX_NEIGHBOURS) revert PricingTooManyNeighbours(zone);
            $.neighbours[zone].push(neighbour);
        }
        $.links[zone][neighbour] = uint256(penaltyBps) + 1;
    }

    function _unlink(bytes32 zone, bytes32 neighbour) private {
        PricingEngineStorage storage $ = _s();
        delete $.links[zone][neighbour];
        bytes32[] storage list = $.neighbours[zone];
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == neighbour) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Parameters
    // ---------------------------------------------------------------------------------------------

    function _multiplier(uint8 tier) private view returns (uint256) {
        if (tier > uint8(Tier.Priority)) revert PricingUnknownTier(tier);
        return _s().multiplierBps[tier];
    }

    function _requireZone(bytes32 zone) private view {
        if (!_s().registry.isZoneEnabled(zone)) revert PricingUnknownZone(zone);
    }

    function _setMarketParameters(MarketParameters memory p) private {
        _checkBounds("epochDuration", p.epochDuration, MIN_EPOCH_DURATION, MAX_EPOCH_DURATION);
        _checkBounds(
            "targetUtilisationBps",
            p.targetUtilisationBps,
            MIN_TARGET_UTILISATION_BPS,
            MAX_TARGET_UTILISATION_BPS
        );
        _checkBounds("maxStepBps", p.maxStepBps, MIN_STEP_BPS, MAX_STEP_BPS);
        _checkBounds("minPrice", p.minPrice, HARD_MIN_PRICE, HARD_MAX_PRICE);
        _checkBounds("maxPrice", p.maxPrice, p.minPrice, HARD_MAX_PRICE);
        _checkBounds("initialPrice", p.initialPrice, p.minPrice, p.maxPrice);
        _checkBounds("milliKwhPerGpuHour", p.milliKwhPerGpuHour, 0, MAX_MILLI_KWH_PER_GPU_HOUR);
        _s().parameters = p;
        emit MarketParametersSet(p);
    }

    function _setTiers(uint16[3] memory multiplierBps, uint16[3] memory reputationFloorBps) private {
        for (uint256 i = 0; i < 3; ++i) {
            _checkBounds("multiplierBps", multiplierBps[i], MIN_TIER_MULTIPLIER_BPS, MAX_TIER_MULTIPLIER_BPS);
            _checkBounds("reputationFloorBps", reputationFloorBps[i], 0, _BPS);
            if (
                i > 0 && (multiplierBps[i] < multiplierBps[i - 1] || reputationFloorBps[i] < reputationFloorBps[i - 1])
            ) {
                revert PricingTiersNotAscending();
            }
        }
        PricingEngineStorage storage $ = _s();
        $.multiplierBps = multiplierBps;
        $.reputationFloorBps = reputationFloorBps;
        emit TiersSet(multiplierBps, reputationFloorBps);
    }

    function _checkBounds(string memory parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert PricingParameterOutOfBounds(parameter, value, min, max);
    }
}
