// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title JobKeys
/// @notice The exchange of a sealed job's key on chain, so that a withheld key is a fact rather than a claim: the
/// claimer asks (with the public key the job key is to be wrapped to), the requester answers (with the wrapped key),
/// and a claimer that asked in time and was not answered is excused when it reports the `key-withheld` failure.
/// @dev Internal functions, compiled into the market: they run on its storage, after its own guards.
library JobKeys {
    /// @notice The result a provider reports when the job key never came: sha256("starminer.failure/1:key-withheld"),
    /// the canonical result of that failure (see the workloads' `failureResult`).
    bytes32 internal constant KEY_WITHHELD_RESULT = 0x1569de9f62e93e504c0e6072636ce862146bcc64e4edfc46a1fbc5a546a1767c;

    /// @notice The longest wrapped key the market records (an ECIES-wrapped 32-byte key takes 125 bytes).
    uint256 internal constant MAX_WRAPPED_KEY_BYTES = 256;

    /// @notice The share of a delivery window, in percent, that must be left when a `key-withheld` result is
    /// delivered for it to be excused: the claimer waits for half its window before it gives up on the key.
    uint256 internal constant WITHHELD_SPEED_PERCENT = 50;

    /// @dev Records the claimer's request for the job key of `slot`. `keyHolder` is the address `publicKey` must
    /// hash to; `requestBy` the end of the first quarter of the slot's window (the market's clock).
    function request(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Slot storage s,
        uint256 jobId,
        uint256 slot,
        bytes calldata publicKey,
        address keyHolder,
        uint256 now_
    ) internal {
        if (publicKey.length != 64) revert IJobMarket.MarketInvalidPublicKey(publicKey.length);
        address keyAddress = address(uint160(uint256(keccak256(publicKey))));
        if (keyAddress != keyHolder) revert IJobMarket.MarketNotKeyHolder(jobId, slot, keyAddress, keyHolder);
        uint256 requestBy = s.claimedAt + (uint256(s.deliverBy) - s.claimedAt) / 4;
        if (now_ > requestBy) revert IJobMarket.MarketKeyRequestLate(jobId, slot, requestBy);
        IJobMarket.KeyExchange storage exchange = $.keyExchanges[jobId][slot];
        if (exchange.requestedBy == msg.sender) revert IJobMarket.MarketKeyAlreadyExchanged(jobId, slot);
        // A slot reclaimed after a miss starts afresh: the earlier claimer's request and release no longer count.
        exchange.requestedBy = msg.sender;
        exchange.released = false;
        emit IJobMarket.JobKeyRequested(jobId, slot, msg.sender, publicKey);
    }

    /// @dev Records the requester's answer to the request of the slot's claimer, while more than half the slot's
    /// window is left at `now_` (the market's clock). Later, the claimer may already have given up and reported the
    /// key withheld: a release then would make that excused report false after the fact, so that a requester could
    /// have an honest claimer slashed by releasing just before its report lands.
    function release(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Slot storage s,
        uint256 jobId,
        uint256 slot,
        bytes calldata wrappedKey,
        uint256 now_
    ) internal {
        uint256 length = wrappedKey.length;
        if (length == 0 || length > MAX_WRAPPED_KEY_BYTES) revert IJobMarket.MarketInvalidWrappedKey(length);
        IJobMarket.KeyExchange storage exchange = $.keyExchanges[jobId][slot];
        address provider = s.provider;
        if (exchange.requestedBy != provider) revert IJobMarket.MarketKeyNotRequested(jobId, slot);
        if (exchange.released) revert IJobMarket.MarketKeyAlreadyExchanged(jobId, slot);
        // The last moment a delivery's speed (the share of the window left, in whole percent) is above the excused
        // share: at least ceil((WITHHELD_SPEED_PERCENT + 1) * window / 100) left.
        uint256 window = uint256(s.deliverBy) - s.claimedAt;
        uint256 releaseBy = uint256(s.deliverBy) - ((WITHHELD_SPEED_PERCENT + 1) * window + 99) / 100;
        if (now_ > releaseBy) revert IJobMarket.MarketKeyReleaseLate(jobId, slot, releaseBy);
        exchange.released = true;
        emit IJobMarket.JobKeyReleased(jobId, slot, provider, wrappedKey);
    }

    /// @dev The slots of a job whose revealed `key-withheld` result is excused (a bit each), and how many.
    function excusedSlots(
        MarketStorage.JobMarketStorage storage $,
        uint256 jobId,
        uint256 redundancy
    ) internal view returns (uint8 mask, uint256 count) {
        mapping(uint256 => IJobMarket.Slot) storage slots = $.slots[jobId];
        for (uint256 i = 0; i < redundancy; ++i) {
            IJobMarket.Slot storage s = slots[i];
            if (
                s.status == IJobMarket.SlotStatus.Revealed && s.result == KEY_WITHHELD_RESULT && excused($, s, jobId, i)
            ) {
                mask |= uint8(1 << i);
                ++count;
            }
        }
    }

    /// @dev Whether no accepted slot of a job holds a computed result (nothing accepted, or only excused
    /// `key-withheld` results): a split, in which the slots that computed were not shown wrong.
    function noComputedResult(
        MarketStorage.JobMarketStorage storage $,
        uint256 jobId,
        uint8 acceptedSlots,
        uint256 redundancy
    ) internal view returns (bool) {
        for (uint256 i = 0; i < redundancy; ++i) {
            if (acceptedSlots & (1 << i) != 0 && $.slots[jobId][i].result != KEY_WITHHELD_RESULT) return false;
        }
        return true;
    }

    /// @dev Whether slot `slot` of a job holds an accepted `key-withheld` result: accepted only when excused, so no
    /// verdict on the job's output makes it wrong.
    function acceptedWithheld(uint8 acceptedSlots, uint256 slot, bytes32 result) internal pure returns (bool) {
        return acceptedSlots & (1 << slot) != 0 && result == KEY_WITHHELD_RESULT;
    }

    /// @dev Whether slot `slot`'s revealed `key-withheld` result is excused: its claimer asked for the key in time,
    /// was not answered, and waited half its window before reporting. Any other `key-withheld` result is false (the
    /// key came, or was never asked for), and the market treats it as a wrong result.
    function excused(
        MarketStorage.JobMarketStorage storage $,
        IJobMarket.Slot storage s,
        uint256 jobId,
        uint256 slot
    ) internal view returns (bool) {
        IJobMarket.KeyExchange storage exchange = $.keyExchanges[jobId][slot];
        return exchange.requestedBy == s.provider && !exchange.released && s.speedPercent <= WITHHELD_SPEED_PERCENT;
    }
}
