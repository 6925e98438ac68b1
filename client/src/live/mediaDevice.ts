/**
 * The browser's side of a mediasoup Device, prepared once per page. Loading a Device asks the
 * browser for its RTP capabilities (two throwaway peer connections and offers, tens of
 * milliseconds on a busy phone); they do not change while the page lives, so they are asked as
 * the page starts, while the socket connects and the join is answered, and every Device of the
 * page (one per join) reuses them: the join's answer no longer waits for them.
 */
import { Device, detectDeviceAsync, type types } from 'mediasoup-client';
import { Chrome74 } from 'mediasoup-client/handlers/Chrome74';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { Firefox120 } from 'mediasoup-client/handlers/Firefox120';
import { Safari12 } from 'mediasoup-client/handlers/Safari12';
import type { RtpCapabilitiesJson } from '../../../shared/protocol';
import { markMilestone } from './timeline';

/** The handlers mediasoup-client picks for browsers; anything else is left to Device.factory(), which refuses it. */
const BROWSER_HANDLERS: Partial<Record<types.BuiltinHandlerName, () => types.HandlerFactory>> = {
  Chrome111: () => Chrome111.createFactory(),
  Chrome74: () => Chrome74.createFactory(),
  Firefox120: () => Firefox120.createFactory(),
  Safari12: () => Safari12.createFactory(),
};

type Direction = types.HandlerGetNativeRtpCapabilitiesOptions['direction'];

let prepared: Promise<types.HandlerFactory | undefined> | undefined;

/** Starts asking the browser for its capabilities (once per page); Devices made later use them. */
export function prepareMediaDevice(): void {
  prepared ??= detectDeviceAsync().then((name) => {
    const create = name ? BROWSER_HANDLERS[name] : undefined;
    return create ? rememberingCapabilities(create()) : undefined;
  });
}

/** A Device for one join, loaded with the router's capabilities. */
export async function loadDevice(routerRtpCapabilities: RtpCapabilitiesJson): Promise<Device> {
  prepareMediaDevice();
  const handlerFactory = await prepared!;
  // A fresh Device per join: after a server restart the router's capabilities may differ.
  const device = await Device.factory(handlerFactory ? { handlerFactory } : {});
  await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  markMilestone('device');
  return device;
}

/**
 * The handler factory, asking the browser for its capabilities at once and only once per
 * direction; a failed probe is asked again next time (Device.load then fails as it would have).
 */
function rememberingCapabilities(factory: types.HandlerFactory): types.HandlerFactory {
  const rtp = new Map<Direction, Promise<types.RtpCapabilities>>();
  let sctp: Promise<types.SctpCapabilities> | undefined;
  const getNativeRtpCapabilities = ({ direction }: types.HandlerGetNativeRtpCapabilitiesOptions) => {
    let capabilities = rtp.get(direction);
    if (!capabilities) {
      capabilities = factory.getNativeRtpCapabilities({ direction });
      rtp.set(direction, capabilities);
      capabilities.catch(() => rtp.delete(direction));
    }
    return capabilities;
  };
  const getNativeSctpCapabilities = () => {
    sctp ??= factory.getNativeSctpCapabilities();
    sctp.catch(() => (sctp = undefined));
    return sctp;
  };
  // Device.load asks for both directions, viewers and speakers alike.
  for (const direction of ['recvonly', 'sendonly'] as const) void getNativeRtpCapabilities({ direction }).catch(() => undefined);
  return { ...factory, getNativeRtpCapabilities, getNativeSctpCapabilities };
}
