import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartDay } from '../../api/analytics.ts';
import { useFormat } from '../../i18n/format.ts';

/** Outcome colours, each also named in the legend, the tooltip and the table (never colour alone). */
const SERIES = [
  { key: 'confirmed', colour: '#0b6e4f' },
  { key: 'cancelled', colour: '#b42318' },
  { key: 'noResponse', colour: '#b7791f' },
  { key: 'failed', colour: '#4a5560' },
  { key: 'other', colour: '#9aa5b1' },
] as const;

const CHART_HEIGHT = 260;

/**
 * Orders per day by outcome (stacked bars) and the day's confirmation rate (line). Loaded on its
 * own (React.lazy) so recharts stays out of the first JavaScript. In Arabic the time axis runs
 * right to left and the value axis stands on the right, as the page does.
 */
export default function OverviewCharts({ days }: { days: ChartDay[] }) {
  const { t, i18n } = useTranslation('overview');
  const format = useFormat();
  const isRtl = i18n.dir(i18n.language) === 'rtl';
  const dayLabel = (date: string) => format.date(`${date}T12:00:00Z`);
  const axisProps = { reversed: isRtl, dataKey: 'date', tickFormatter: dayLabel, minTickGap: 16, tick: { fontSize: 12 } } as const;
  const valueAxisProps = { orientation: isRtl ? ('right' as const) : ('left' as const), tick: { fontSize: 12 }, width: 48 };
  const rateDays = days.map((day) => ({ date: day.date, rate: day.confirmationRate === null ? null : Math.round(day.confirmationRate * 1000) / 10 }));

  return (
    <div className="overview-charts">
      <figure className="card overview-chart">
        <figcaption className="card-title">{t('charts.perDayTitle')}</figcaption>
        <BarChart responsive data={days} className="overview-chart-canvas" style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 12, right: 16, bottom: 8, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis {...axisProps} />
          <YAxis {...valueAxisProps} allowDecimals={false} tickFormatter={(value: number) => format.number(value)} />
          <Tooltip labelFormatter={(label) => dayLabel(String(label))} formatter={(value) => format.number(Number(value))} />
          <Legend />
          {SERIES.map((series) => (
            <Bar key={series.key} dataKey={series.key} name={t(`series.${series.key}`)} stackId="outcome" fill={series.colour} isAnimationActive={false} />
          ))}
        </BarChart>
      </figure>
      <figure className="card overview-chart">
        <figcaption className="card-title">{t('charts.rateTitle')}</figcaption>
        <LineChart responsive data={rateDays} className="overview-chart-canvas" style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 12, right: 16, bottom: 8, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis {...axisProps} />
          <YAxis {...valueAxisProps} domain={[0, 100]} tickFormatter={(value: number) => format.percent(value / 100)} />
          <Tooltip labelFormatter={(label) => dayLabel(String(label))} formatter={(value) => format.percent(Number(value) / 100)} />
          <Line dataKey="rate" name={t('series.confirmationRate')} stroke="#0b6e4f" strokeWidth={2} connectNulls dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </figure>
    </div>
  );
}
