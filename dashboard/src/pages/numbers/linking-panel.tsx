import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { isQrImage, useRequestPairingCode, type WhatsappNumber } from '../../api/numbers.ts';
import { toInternationalPhone } from '../../api/test-order.ts';
import { TextField } from '../../components/field.tsx';
import { FormError, Loading } from '../../components/states.tsx';

/** "ABCD1234" → "ABCD-1234", the way WhatsApp shows the boxes to type it into. */
const groupPairingCode = (code: string): string => (code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

const QrSteps = () => {
  const { t } = useTranslation('numbers');

  return (
    <ol className="link-steps">
      <li>{t('qr.steps.open')}</li>
      <li>{t('qr.steps.settings')}</li>
      <li>{t('qr.steps.linkedDevices')}</li>
      <li>{t('qr.steps.linkDevice')}</li>
      <li>{t('qr.steps.scan')}</li>
    </ol>
  );
};

const PairingCodeError = ({ error }: { error: unknown }) => {
  const { t } = useTranslation('numbers');
  if (error instanceof ApiError && error.code === 'upstream_unavailable') return <p className="form-error" role="alert">{t('pairing.notReady')}</p>;
  if (error instanceof ApiError && error.code === 'invalid_state') return <p className="form-error" role="alert">{t('pairing.notWaiting')}</p>;

  return <FormError error={error} />;
};

const PairingCode = ({ number, onUseQr }: { number: WhatsappNumber; onUseQr: () => void }) => {
  const { t } = useTranslation('numbers');
  const request = useRequestPairingCode(number.id);
  const [phone, setPhone] = useState(number.phone ?? '');
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null);
  const code = request.data?.pairingCode ?? number.pairingCode;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const international = toInternationalPhone(phone);
    if (!international) {
      setPhoneProblem(t('pairing.phoneInvalid'));
      return;
    }
    setPhoneProblem(null);
    request.mutate(international);
  };

  return (
    <div className="stack">
      <form onSubmit={submit} className="pairing-form">
        <TextField
          label={t('pairing.phone')}
          hint={t('pairing.phoneHint')}
          type="tel"
          autoComplete="tel"
          dir="ltr"
          required
          value={phone}
          error={phoneProblem}
          onChange={(event) => setPhone(event.target.value)}
        />
        <PairingCodeError error={request.error} />
        <div className="row">
          <button type="submit" className="button button-primary" disabled={request.isPending}>
            {request.isPending ? t('pairing.requesting') : code ? t('pairing.requestAgain') : t('pairing.request')}
          </button>
          <button type="button" className="button button-quiet" onClick={onUseQr}>
            {t('pairing.useQr')}
          </button>
        </div>
      </form>
      {code ? (
        <div className="pairing-result" aria-live="polite">
          <p className="pairing-code-label">{t('pairing.codeLabel')}</p>
          <p className="pairing-code" dir="ltr">
            {groupPairingCode(code)}
          </p>
          <ol className="link-steps">
            <li>{t('pairing.steps.open')}</li>
            <li>{t('pairing.steps.linkDevice')}</li>
            <li>{t('pairing.steps.withPhone')}</li>
            <li>{t('pairing.steps.type')}</li>
          </ol>
        </div>
      ) : null}
    </div>
  );
};

/**
 * The live QR (or a pairing code) of a linked-device number that waits to be linked.
 * `shouldTakeFocus`: it appeared because the merchant asked for it further down the page ("Link again").
 */
export const LinkingPanel = ({ number, shouldTakeFocus = false }: { number: WhatsappNumber; shouldTakeFocus?: boolean }) => {
  const { t } = useTranslation('numbers');
  const [mode, setMode] = useState<'qr' | 'phone'>(number.pairingCode ? 'phone' : 'qr');
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (shouldTakeFocus) title.current?.focus();
  }, [shouldTakeFocus]);

  if (mode === 'phone') {
    return (
      <section className="card linking-panel" aria-labelledby="linking-title">
        <h2 id="linking-title" className="card-title" tabIndex={-1} ref={title}>{t('pairing.title')}</h2>
        <PairingCode number={number} onUseQr={() => setMode('qr')} />
      </section>
    );
  }

  return (
    <section className="card linking-panel" aria-labelledby="linking-title">
      <h2 id="linking-title" className="card-title" tabIndex={-1} ref={title}>{t('qr.title')}</h2>
      <div className="qr-layout">
        <QrSteps />
        <div className="qr-box">
          {isQrImage(number.qrDataUrl) ? (
            <img className="qr-image" src={number.qrDataUrl} alt={t('qr.alt')} width={264} height={264} />
          ) : (
            <Loading label={t('qr.preparing')} />
          )}
          <p className="muted qr-note">{t('qr.refreshes')}</p>
        </div>
      </div>
      <button type="button" className="button" onClick={() => setMode('phone')}>
        {t('qr.usePhone')}
      </button>
    </section>
  );
};
